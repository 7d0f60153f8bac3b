import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ActionOptions, HttpMethod, HttpService, RouteOptions } from '@keel/plugin-sdk';
import type { ActionTable } from './action-table.js';
import { DEFAULT_BODY_LIMIT } from './body-parsing.js';
import type { RouteTable } from './route-table.js';

export type RawRequestListener = (req: IncomingMessage, res: ServerResponse) => boolean;

/** What a bundle's HttpService writes into; shared by all bundles of one server. */
export interface HttpRegistry {
  readonly routes: RouteTable;
  readonly actions: ActionTable;
  readonly rawListeners: Map<string, Set<RawRequestListener>>;
  readonly apiPrefix: string;
  readonly maxBodyLimit: number;
  /** Paths the server answers itself (`/health`); bundles cannot take them. */
  readonly reservedPaths: ReadonlySet<string>;
  readonly server: Server;
  address(): { host: string; port: number } | undefined;
}

const ACTION_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT'];

/** The HttpService handed to one bundle: everything it registers is owned by, and answers for, it. */
export function createBundleHttpService(registry: HttpRegistry, bundle: string): HttpService {
  function bodyLimitOf(requested: number | undefined, what: string): number {
    const limit = requested ?? DEFAULT_BODY_LIMIT;
    if (!Number.isInteger(limit) || limit < 0 || limit > registry.maxBodyLimit) {
      throw new Error(`Bundle '${bundle}' asked for a body limit of ${String(requested)} bytes on ${what}; it must be an integer between 0 and ${registry.maxBodyLimit}`);
    }
    return limit;
  }

  function route(options: RouteOptions): void {
    const methods = Array.isArray(options.method) ? options.method : [options.method];
    const what = `${methods.join('/')} ${options.path}`;
    if (!options.path.startsWith('/')) throw new Error(`Bundle '${bundle}' registered route ${what}; paths must start with '/'`);
    if (registry.reservedPaths.has(options.path.replace(/\/+$/, ''))) {
      throw new Error(`Bundle '${bundle}' registered route ${what}, but the server answers that path itself`);
    }
    const bodyLimit = bodyLimitOf(options.bodyLimit, what);
    registry.routes.add(methods.map((method) => ({ owner: bundle, method, path: options.path, handler: options.handler, bodyLimit })));
  }

  function action(options: ActionOptions): void {
    const what = `module '${options.module}' action '${options.action}'`;
    if (options.module === '' || options.module.startsWith('/') || options.module.endsWith('/') || options.action === '') {
      throw new Error(`Bundle '${bundle}' registered ${what}; module and action must be non-empty and the module must not start or end with '/'`);
    }
    registry.actions.add({
      owner: bundle,
      module: options.module,
      action: options.action,
      pattern: `${options.module}?action=${options.action}`,
      methods: options.methods ?? ACTION_METHODS,
      handler: options.handler,
      bodyLimit: bodyLimitOf(options.bodyLimit, what),
    });
  }

  function onRawRequest(listener: RawRequestListener): () => void {
    let listeners = registry.rawListeners.get(bundle);
    if (listeners === undefined) registry.rawListeners.set(bundle, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      registry.rawListeners.get(bundle)?.delete(listener);
    };
  }

  return {
    route,
    action,
    onRawRequest,
    apiPrefix: registry.apiPrefix,
    get server() {
      return registry.server;
    },
    address: () => registry.address(),
  };
}
