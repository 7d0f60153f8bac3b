import type { Server } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import type { HttpService, RequestTiming } from '@keel/plugin-sdk';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { keelError } from '../errors.js';
import type { KernelLogger } from '../logging/create-logger.js';
import { createActionTable } from './action-table.js';
import { DEFAULT_BODY_LIMIT, limitBody, registerBodyParsers } from './body-parsing.js';
import { createBundleHttpService, type HttpRegistry } from './bundle-http-service.js';
import { createClientErrorHandler } from './client-error.js';
import { sendError, type ErrorStyle } from './error-reply.js';
import { redactUrl } from './redact-url.js';
import { createRequestLogController } from './request-log.js';
import { flattenQuery, toHttpReply, toHttpRequest } from './request-adapter.js';
import { moduleOf, pathOf, patternOf, resolveRequest, type Resolution } from './resolve-request.js';
import { createRouteTable } from './route-table.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  /** Number of bundles per state, e.g. `{ ACTIVE: 12, RESOLVED: 1 }`. */
  bundles: Record<string, number>;
}

export interface HttpServerOptions {
  logger: KernelLogger;
  host: string;
  port: number;
  /** Prefix of the module API; default `/appsuite/api`. */
  apiPrefix?: string;
  /** Routes of an inactive bundle answer 503 `KEEL-BUNDLE-INACTIVE`. */
  isBundleActive: (bundle: string) => boolean;
  health: () => HealthReport;
  /** fastify's `trustProxy`: true, a hop count, or trusted addresses/CIDRs. Default false. */
  trustProxy?: FastifyServerOptions['trustProxy'] | number;
  /** Time allowed to receive a whole request (headers and body), ms. Default 60 000. */
  requestTimeout?: number;
  /** Idle keep-alive connections are closed after this many ms. Default 72 000 (above common proxy idle timeouts). */
  keepAliveTimeout?: number;
  /** The largest `bodyLimit` a route may ask for, bytes. Default 64 MiB. */
  maxBodyLimit?: number;
  /** How long `close()` waits for in-flight requests before cutting connections, ms. Default 10 000. */
  closeGracePeriod?: number;
  /**
   * Every completed request with its route pattern (the kernel's `requestCompleted` hook).
   * `observed()` is asked first, so nothing is built for it while nobody listens.
   */
  requestCompleted?: { observed(): boolean; report(timing: RequestTiming): void };
}

export interface KeelHttpServer {
  readonly fastify: FastifyInstance;
  /** The node server (fastify's), e.g. for Socket.IO to attach to. */
  readonly server: Server;
  readonly apiPrefix: string;
  /** The HttpService for one bundle; the same object for repeated calls. */
  forBundle(bundle: string): HttpService;
  /** Forgets every route, action and raw listener of a bundle (it was uninstalled). */
  removeBundle(bundle: string): void;
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
  address(): { host: string; port: number } | undefined;
}

const CATCH_ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const HEALTH_PATH = '/health';
const JSON_TYPE = 'application/json; charset=utf-8';
/** Route labels of requests without a route pattern; never the raw URL, which would be unbounded. */
const RAW_ROUTE = 'raw';
const UNMATCHED_ROUTE = 'unmatched';

/**
 * The kernel's one HTTP server. fastify owns the connection handling, body parsing and cookies; routing
 * of bundle routes happens in our own tables behind a catch-all route, because bundles come and go while
 * the server is listening and fastify only accepts routes before it is ready.
 */
export function createHttpServer(options: HttpServerOptions): KeelHttpServer {
  const apiPrefix = normalizePrefix(options.apiPrefix ?? '/appsuite/api');
  const maxBodyLimit = options.maxBodyLimit ?? 64 * 1024 * 1024;
  const closeGracePeriod = options.closeGracePeriod ?? 10_000;
  const resolutions = new WeakMap<FastifyRequest, Resolution>();
  /** Requests a bundle's raw listener took over, with that bundle. */
  const rawOwners = new WeakMap<FastifyRequest, string>();
  const ownerOf = (request: FastifyRequest): string | undefined => rawOwners.get(request) ?? resolutions.get(request)?.entry.owner;
  const timings = options.requestCompleted;

  const fastify = Fastify({
    loggerInstance: options.logger,
    logController: createRequestLogController({
      bundleOf: ownerOf,
      quietPaths: new Set([HEALTH_PATH, `${HEALTH_PATH}/live`, `${HEALTH_PATH}/ready`]),
      completed: timings && ((request, reply) => {
        if (!timings.observed()) return;
        timings.report({
          method: request.method,
          route: routeOf(request),
          status: reply.statusCode,
          seconds: reply.elapsedTime / 1000,
          bundle: ownerOf(request),
        });
      }),
    }),
    trustProxy: options.trustProxy as FastifyServerOptions['trustProxy'],
    requestTimeout: options.requestTimeout ?? 60_000,
    clientErrorHandler: createClientErrorHandler(options.logger, options.requestTimeout ?? 60_000),
    // A path fastify's router cannot decode (`/appsuite/api/%E0%A4%A`) gets our error form, not fastify's FST_ERR_BAD_URL.
    frameworkErrors: (error, request, reply) => {
      fail(request as FastifyRequest, reply as FastifyReply, keelError('KEEL-HTTP-BAD-URL', { detail: error.code }));
    },
    keepAliveTimeout: options.keepAliveTimeout ?? 72_000,
    // Per-route limits are enforced in limitBody; this is only the ceiling.
    bodyLimit: maxBodyLimit,
    // fastify types the instance by its logger (pino.Logger); callers only need the plain instance type.
  }) as unknown as FastifyInstance;

  const registry: HttpRegistry = {
    routes: createRouteTable(),
    actions: createActionTable(),
    rawListeners: new Map(),
    apiPrefix,
    maxBodyLimit,
    reservedPaths: new Set([HEALTH_PATH]),
    server: fastify.server,
    address,
  };
  const services = new Map<string, HttpService>();

  void fastify.register(fastifyCookie);
  registerBodyParsers(fastify);

  const bodyLimitOf = (request: FastifyRequest): number => resolutions.get(request)?.entry.bodyLimit ?? DEFAULT_BODY_LIMIT;
  // Errors under the API prefix get the module envelope even when routing failed before a module was found.
  const fail = (request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply => {
    const resolved = resolutions.get(request);
    const style: ErrorStyle = resolved !== undefined
      ? (resolved.kind === 'action' ? 'action' : 'rest')
      : (moduleOf(pathOf(request.url), apiPrefix) === undefined ? 'rest' : 'action');
    return sendError(request, reply, error, { style, bodyLimit: bodyLimitOf(request), bundle: resolved?.entry.owner });
  };

  fastify.setErrorHandler((error, request, reply) => fail(request, reply, error));
  fastify.setNotFoundHandler((request, reply) => fail(request, reply, keelError('KEEL-HTTP-NOT-FOUND', { method: request.method, path: pathOf(request.url) })));

  // Raw listeners (upgrade-style protocols) see requests before any routing.
  fastify.addHook('onRequest', (request, reply, done) => {
    for (const [bundle, listeners] of registry.rawListeners) {
      if (listeners.size === 0 || !options.isBundleActive(bundle)) continue;
      for (const listener of listeners) {
        if (listener(request.raw, reply.raw)) {
          rawOwners.set(request, bundle);
          reply.hijack();
          done();
          return;
        }
      }
    }
    done();
  });

  fastify.get(HEALTH_PATH, (_request, reply) => {
    const report = options.health();
    void reply.type(JSON_TYPE).send({ status: report.status, bundles: report.bundles });
  });

  fastify.route({
    method: CATCH_ALL_METHODS,
    url: '/*',
    onRequest: (request, _reply, done) => {
      const action = flattenQuery(request.query)['action'];
      const resolution = resolveRequest(registry, request.method, request.url, action);
      // Recorded before the activity check, so a 503 is logged and measured under its route and bundle.
      resolutions.set(request, resolution);
      if (!options.isBundleActive(resolution.entry.owner)) throw keelError('KEEL-BUNDLE-INACTIVE', { name: resolution.entry.owner });
      done();
    },
    preParsing: (request, _reply, payload, done) => {
      if (request.method === 'GET' || request.method === 'HEAD') {
        done(null, payload);
        return;
      }
      try {
        done(null, limitBody(payload, request.headers['content-length'], bodyLimitOf(request)) as typeof payload);
      } catch (error) {
        done(error as Error);
      }
    },
    handler: (request, reply) => {
      dispatch(request, reply).catch((error: unknown) => fail(request, reply, error));
    },
  });

  async function dispatch(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const resolution = resolutions.get(request);
    if (resolution === undefined) throw new Error(`request ${request.method} ${redactUrl(request.url)} reached the dispatcher unrouted`);
    const { entry } = resolution;
    const params = resolution.kind === 'route' ? resolution.params : {};
    const result = await entry.handler(
      toHttpRequest(request, resolution.path, params, entry.owner),
      toHttpReply(reply, (name, value, cookieOptions) => fastify.serializeCookie(name, value, cookieOptions)),
    );
    if (reply.sent) return;
    if (resolution.kind === 'action') {
      // Always wrapped, even when the result happens to look like an envelope already.
      void reply.type(JSON_TYPE).send({ data: result ?? null });
    } else if (result === undefined) {
      void (reply.statusCode === 200 ? reply.code(204) : reply).send();
    } else {
      void reply.send(result);
    }
  }

  function routeOf(request: FastifyRequest): string {
    if (rawOwners.has(request)) return RAW_ROUTE;
    const resolution = resolutions.get(request);
    if (resolution !== undefined) return patternOf(resolution);
    return request.routeOptions.url === HEALTH_PATH ? HEALTH_PATH : UNMATCHED_ROUTE;
  }

  function address(): { host: string; port: number } | undefined {
    const bound = fastify.server.address();
    return bound !== null && typeof bound === 'object' ? { host: bound.address, port: bound.port } : undefined;
  }

  return {
    fastify,
    server: fastify.server,
    apiPrefix,
    forBundle(bundle) {
      let service = services.get(bundle);
      if (service === undefined) services.set(bundle, (service = createBundleHttpService(registry, bundle)));
      return service;
    },
    removeBundle(bundle) {
      registry.routes.removeOwner(bundle);
      registry.actions.removeOwner(bundle);
      registry.rawListeners.delete(bundle);
      services.delete(bundle);
    },
    async listen() {
      await fastify.listen({ host: options.host, port: options.port });
      const bound = address();
      if (bound === undefined) throw new Error(`HTTP server did not report an address after listening on ${options.host}:${options.port}`);
      return bound;
    },
    async close() {
      // In-flight requests get a grace period; long polls and streams are then cut.
      const cut = setTimeout(() => fastify.server.closeAllConnections(), closeGracePeriod);
      cut.unref();
      try {
        await fastify.close();
      } finally {
        clearTimeout(cut);
      }
    },
    address,
  };
}

function normalizePrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/\/+$/, '');
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}
