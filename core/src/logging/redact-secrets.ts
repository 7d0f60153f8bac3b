import { stdSerializers } from 'pino';
import { REDACT_DEPTH, REDACTED, SECRET_KEYS } from './secret-keys.js';

const SECRET = new Set(SECRET_KEYS.map((key) => key.toLowerCase()));

export function isSecretKey(key: string): boolean {
  return SECRET.has(key.toLowerCase());
}

/**
 * A copy of `value` with every secret-named property replaced by `[redacted]`, down to {@link REDACT_DEPTH}.
 * Copy-on-write: objects without secrets are returned as they are, so the common case allocates nothing.
 * Errors become pino's serialized form (type, message, stack, own properties) so nested errors log usefully.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > REDACT_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const redacted = redactSecrets(item, depth + 1);
      if (redacted !== item) (copy ??= value.slice())[index] = redacted;
    }
    return copy ?? value;
  }
  if (value instanceof Error) return redactProperties(stdSerializers.err(value), depth, false);
  // JSON.stringify shows these without their own properties (or via toJSON): nothing to look into.
  if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof Map || value instanceof Set || value instanceof RegExp) return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  return redactProperties(value as Record<string, unknown>, depth, false);
}

/**
 * The formatter for a log call's object. A top-level `err` Error is left to the `err` serializer
 * ({@link redactingErrSerializer}), which pino applies afterwards and which needs the real Error.
 */
export function redactLogObject(object: Record<string, unknown>): Record<string, unknown> {
  return redactProperties(object, 0, true);
}

/** pino's Error serializer, followed by redaction of the Error's own properties. */
export function redactingErrSerializer(error: unknown): unknown {
  return redactSecrets(error instanceof Error ? stdSerializers.err(error) : error, 0);
}

function redactProperties<T extends object>(object: T, depth: number, topLevel: boolean): T {
  let copy: Record<string, unknown> | undefined;
  const record = object as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    let redacted: unknown;
    if (SECRET.has(key.toLowerCase())) redacted = item === undefined ? item : REDACTED;
    else if (topLevel && key === 'err' && item instanceof Error) redacted = item;
    else redacted = redactSecrets(item, depth + 1);
    if (redacted !== item) (copy ??= { ...record })[key] = redacted;
  }
  return (copy ?? object) as T;
}
