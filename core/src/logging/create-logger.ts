import { pino } from 'pino';
import type { Logger } from '@keel/plugin-sdk';
import { keelError } from '../errors.js';
import { redactingErrSerializer, redactLogObject } from './redact-secrets.js';
import { REDACTED, topLevelRedactPaths } from './secret-keys.js';

/** The kernel's logger. pino's logger satisfies the SDK `Logger` contract structurally. */
export type KernelLogger = pino.Logger;

export interface LoggerOptions {
  /** Overrides `KEEL_LOG_LEVEL` (default `info`). */
  level?: string;
  /** Where JSON lines go; stdout when omitted. Tests pass a stream to read the output. */
  destination?: NodeJS.WritableStream | pino.DestinationStream;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The one place the kernel logger is configured: JSON lines, ISO timestamps, secrets redacted (redact-secrets.ts). */
export function createLogger(options: LoggerOptions = {}): KernelLogger {
  const fromEnv = options.level === undefined;
  const level = (options.level ?? process.env['KEEL_LOG_LEVEL'] ?? 'info').trim().toLowerCase();
  if (!LEVELS.includes(level)) {
    throw keelError('KEEL-CONFIG-VALUE', {
      name: fromEnv ? 'KEEL_LOG_LEVEL' : 'log level',
      source: fromEnv ? 'environment' : 'createLogger options',
      value: level,
      expected: `one of ${LEVELS.join(', ')}`,
    });
  }
  const settings: pino.LoggerOptions = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Labels ("info") read better in an operator's grep than pino's numbers (30).
    formatters: {
      level: (label) => ({ level: label }),
      // Secrets nested anywhere in a log call's object, case-insensitively.
      log: redactLogObject,
    },
    serializers: { err: redactingErrSerializer },
    // Top-level secrets in child logger bindings, which pino writes without the log formatter.
    redact: { paths: topLevelRedactPaths(), censor: REDACTED },
  };
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination as pino.DestinationStream);
}

/** The SDK view of a kernel logger; no wrapping needed, this only documents (and type-checks) the fit. */
export function toSdkLogger(logger: KernelLogger): Logger {
  return logger;
}
