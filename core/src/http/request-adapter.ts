import type { HttpReply, HttpRequest, Logger } from '@keel/plugin-sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';

type CookieSerializer = (name: string, value: string, options: Record<string, unknown>) => string;

/** Query values as the contract has them: one string per name, the last one when a name repeats. */
export function flattenQuery(query: unknown): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  if (typeof query !== 'object' || query === null) return flat;
  for (const [name, value] of Object.entries(query)) {
    const last: unknown = Array.isArray(value) ? value[value.length - 1] : value;
    flat[name] = last === undefined ? undefined : String(last);
  }
  return flat;
}

/** The SDK's view of a fastify request, bound to the bundle that serves it (its logs say so). */
export function toHttpRequest(
  request: FastifyRequest,
  path: string,
  params: Readonly<Record<string, string>>,
  bundle: string,
): HttpRequest {
  const parsed = request.body;
  // Only the catch-all parser yields Buffers: JSON and forms arrive parsed.
  const rawBody = Buffer.isBuffer(parsed) ? parsed : undefined;
  const cookies: Record<string, string> = {};
  // Filled by @fastify/cookie (its type augmentation does not merge with fastify 5's generic FastifyRequest).
  const parsedCookies = (request as { cookies?: Record<string, string | undefined> | null }).cookies ?? {};
  for (const [name, value] of Object.entries(parsedCookies)) if (value !== undefined) cookies[name] = value;
  let log: Logger | undefined;
  return {
    method: request.method,
    url: request.url,
    path,
    params,
    query: flattenQuery(request.query),
    headers: request.headers,
    cookies,
    body: rawBody === undefined ? parsed : undefined,
    rawBody,
    ip: request.ip,
    // Most handlers never log; create the child logger on first use.
    get log(): Logger {
      return (log ??= request.log.child({ bundle }));
    },
  };
}

/**
 * The SDK's reply. Cookies are serialized straight into `Set-Cookie` headers (not via @fastify/cookie's
 * onSend hook) so that they also reach the client when a handler takes over the raw response.
 */
export function toHttpReply(reply: FastifyReply, serializeCookie: CookieSerializer): HttpReply {
  const api: HttpReply = {
    status(code) {
      reply.code(code);
      return api;
    },
    header(name, value) {
      reply.header(name, value);
      return api;
    },
    setCookie(name, value, options = {}) {
      // fastify appends repeated set-cookie headers instead of replacing them.
      reply.header('set-cookie', serializeCookie(name, value, { path: '/', sameSite: 'lax', ...options }));
      return api;
    },
    clearCookie(name, options = {}) {
      reply.header('set-cookie', serializeCookie(name, '', { path: options.path ?? '/', expires: new Date(0), maxAge: 0 }));
      return api;
    },
    raw() {
      if (!reply.sent) {
        reply.raw.statusCode = reply.statusCode;
        for (const [name, value] of Object.entries(reply.getHeaders())) {
          if (value !== undefined) reply.raw.setHeader(name, value);
        }
        reply.hijack();
      }
      return reply.raw;
    },
    get sent() {
      return reply.sent;
    },
  };
  return api;
}
