import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** What a handler sees of a request. `body` is parsed for JSON and form (`application/x-www-form-urlencoded`) bodies. */
export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly cookies: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** The raw body for content types the server does not parse (e.g. text/plain), as a Buffer. */
  readonly rawBody: Buffer | undefined;
  readonly ip: string;
  readonly log: import('./logger.js').Logger;
}

/** Lets a handler set status, headers and cookies; the handler's return value is the body. */
export interface HttpReply {
  status(code: number): HttpReply;
  header(name: string, value: string): HttpReply;
  setCookie(name: string, value: string, options?: { path?: string; httpOnly?: boolean; secure?: boolean; sameSite?: 'strict' | 'lax' | 'none'; maxAge?: number; expires?: Date }): HttpReply;
  clearCookie(name: string, options?: { path?: string }): HttpReply;
  /** Take over the raw response (streaming). The handler must then end it itself. */
  raw(): ServerResponse;
  readonly sent: boolean;
}

export type HttpHandler = (request: HttpRequest, reply: HttpReply) => unknown | Promise<unknown>;

export interface RouteOptions {
  method: HttpMethod | HttpMethod[];
  /** find-my-way syntax: `/admin/v1/contexts/:cid`, `/files/*`. */
  path: string;
  handler: HttpHandler;
  /** Maximum body size in bytes (default 1 MiB). */
  bodyLimit?: number;
}

/** A module action under `/appsuite/api/<module>?action=<action>` using the middleware's envelope. */
export interface ActionOptions {
  module: string;
  action: string;
  /** Default: GET, POST and PUT all accepted, like the original API. */
  methods?: HttpMethod[];
  /** The handler's return value is wrapped as `{"data": value}`; throw a KeelError to answer an error envelope. */
  handler: HttpHandler;
  bodyLimit?: number;
}

/**
 * The HTTP server, scoped to one bundle: routes registered through it answer 503
 * `KEEL-BUNDLE-INACTIVE` while the bundle is not ACTIVE and are re-bound when it starts again.
 * Routes can be added at any time, also after the server is listening.
 */
export interface HttpService {
  route(options: RouteOptions): void;
  action(options: ActionOptions): void;
  /** Prefix of the module API: `/appsuite/api`, as the App Suite UI expects. */
  readonly apiPrefix: string;
  /** The underlying node HTTP server, e.g. to attach Socket.IO. Available once the kernel started HTTP. */
  readonly server: Server;
  /**
   * Observe raw requests before routing (for upgrade-style protocols). Rarely needed; prefer `route`.
   * Return true when the listener handled the request.
   */
  onRawRequest?(listener: (req: IncomingMessage, res: ServerResponse) => boolean): () => void;
  /** The address the server listens on, once listening. */
  address(): { host: string; port: number } | undefined;
}
