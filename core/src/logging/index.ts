export { createLogger, toSdkLogger } from './create-logger.js';
export type { KernelLogger, LoggerOptions } from './create-logger.js';
export { REDACTED, REDACT_DEPTH, SECRET_KEYS } from './secret-keys.js';
export { isSecretKey, redactSecrets } from './redact-secrets.js';
