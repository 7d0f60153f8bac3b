import { keelError } from '../errors.js';

// Strict conversions shared by the server config and the cascade views. `source` is a thunk because
// it is only needed on the error path, and computing it may cost a few lookups.

/** `true`/`false`, case-insensitive, surrounding whitespace ignored; empty means "not set". */
export function toBoolean(name: string, value: string | undefined, fallback: boolean, source: () => string | undefined): boolean {
  if (value === undefined) return fallback;
  const text = value.trim();
  if (text === '') return fallback;
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw keelError('KEEL-CONFIG-VALUE', { name, source: source() ?? 'unknown source', value, expected: 'true or false' });
}

/** A whole decimal number (safe integer), surrounding whitespace ignored; empty means "not set". */
export function toNumber(name: string, value: string | undefined, fallback: number, source: () => string | undefined): number {
  if (value === undefined) return fallback;
  const text = value.trim();
  if (text === '') return fallback;
  const number = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isSafeInteger(number)) return number;
  throw keelError('KEEL-CONFIG-VALUE', { name, source: source() ?? 'unknown source', value, expected: 'a whole number' });
}

/**
 * Comma-separated items, each trimmed and stripped of one pair of surrounding quotes (`"a"`, `'a'`);
 * empty items dropped. A value that is set but empty is an empty list, not the fallback.
 */
export function toList(value: string | undefined, fallback: readonly string[] = []): string[] {
  if (value === undefined) return [...fallback];
  const items: string[] = [];
  for (const raw of value.split(',')) {
    let item = raw.trim();
    if (item.length >= 2) {
      const quote = item[0];
      if ((quote === '"' || quote === "'") && item[item.length - 1] === quote) item = item.slice(1, -1).trim();
    }
    if (item !== '') items.push(item);
  }
  return items;
}
