export { createHttpServer } from './create-http-server.js';
export type { HealthReport, HttpServerOptions, KeelHttpServer } from './create-http-server.js';
export { DEFAULT_BODY_LIMIT } from './body-parsing.js';
export { redactUrl } from './redact-url.js';
export { readTrustProxy, TRUST_PROXY_PROPERTY } from './trust-proxy.js';
export type { TrustProxy } from './trust-proxy.js';
