/**
 * Structured JSON logger (pino underneath). Pass context as an object first, the message second:
 * `logger.info({ user: 3, context: 1 }, 'listener started')`. Keys named like secrets
 * (password, secret, passcrypt, token, authorization, cookie …) are redacted by the kernel,
 * but never log credentials on purpose.
 */
export interface Logger {
  trace(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  fatal(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}
