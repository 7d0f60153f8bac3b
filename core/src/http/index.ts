export { createHttpServer } from './create-http-server.js';
export type { HealthReport, HttpServerOptions, KeelHttpServer } from './create-http-server.js';
export { DEFAULT_BODY_LIMIT } from './body-parsing.js';
export { redactUrl } from './redact-url.js';
