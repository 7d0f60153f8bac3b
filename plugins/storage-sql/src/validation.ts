// Input checks shared by contexts and users: each failure names the field and the limit.
import type { KeelError } from '@keel/plugin-sdk';

export type Fail = (message: string, params?: readonly unknown[]) => KeelError;

/** Field limits; they match the column sizes of the directory tables. */
export const LIMITS = {
  name: 255,
  loginMapping: 255,
  loginMappings: 1000,
  login: 255,
  displayName: 255,
  email: 254,
  aliases: 100,
  attributeName: 255,
  attributeValue: 16_000,
  attributes: 1000,
  password: 1024,
  source: 32,
  externalDn: 1024,
  pageSize: 1000,
} as const;

export const MAX_ID = 2_147_483_647;
export const CONFIG_PREFIX = 'config/';

const CONTROL = /[\u0000-\u001f\u007f]/;
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}]([\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'` : `a ${typeof value}`;
}

/** A single-line text: a string, not blank (unless allowed), within `max` characters, no control characters. */
export function checkText(value: unknown, field: string, max: number, fail: Fail, options: { allowEmpty?: boolean } = {}): string {
  if (typeof value !== 'string') throw fail(`${field} must be a string, got ${describe(value)}`, [field]);
  if (!options.allowEmpty && value.trim() === '') throw fail(`${field} must not be empty`, [field]);
  if (value.length > max) throw fail(`${field} exceeds ${max} characters (got ${value.length})`, [field, max]);
  if (CONTROL.test(value)) throw fail(`${field} must not contain control characters`, [field]);
  return value;
}

/** A token without spaces (logins, login mappings, property names). */
export function checkToken(value: unknown, field: string, max: number, fail: Fail): string {
  const text = checkText(value, field, max, fail);
  if (/\s/u.test(text)) throw fail(`${field} must not contain spaces, got ${describe(text)}`, [field]);
  return text;
}

export function isMailAddress(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1 || value.length > LIMITS.email) return false;
  const local = value.slice(0, at);
  const labels = value.slice(at + 1).split('.');
  return local.length <= 64 && LOCAL_PART.test(local) && labels.length >= 2 && labels.every((label) => DOMAIN_LABEL.test(label));
}

export function checkMail(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string') throw fail(`${field} must be a string, got ${describe(value)}`, [field]);
  if (value.length > LIMITS.email) throw fail(`${field} exceeds ${LIMITS.email} characters (got ${value.length})`, [field, LIMITS.email]);
  if (!isMailAddress(value)) throw fail(`${field} ${describe(value)} is not a valid mail address`, [field, value]);
  return value;
}

export function checkBoolean(value: unknown, field: string, fail: Fail): boolean {
  if (typeof value !== 'boolean') throw fail(`${field} must be true or false, got ${describe(value)}`, [field]);
  return value;
}

/** A positive 32-bit id (contexts, users). */
export function checkId(value: unknown, field: string, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_ID) {
    throw fail(`${field} must be a whole number from 1 to ${MAX_ID}, got ${describe(value)}`, [field]);
  }
  return value;
}

export function checkStringList(value: unknown, field: string, maxItems: number, fail: Fail): unknown[] {
  if (!Array.isArray(value)) throw fail(`${field} must be a list of strings, got ${describe(value)}`, [field]);
  if (value.length > maxItems) throw fail(`${field} has more than ${maxItems} entries (got ${value.length})`, [field, maxItems]);
  return value;
}

function checkRecord(value: unknown, field: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(`${field} must be an object, got ${describe(value)}`, [field]);
  const entries = Object.keys(value);
  if (entries.length > LIMITS.attributes) throw fail(`${field} has more than ${LIMITS.attributes} entries (got ${entries.length})`, [field, LIMITS.attributes]);
  return value as Record<string, unknown>;
}

function checkAttributeValue(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string') throw fail(`${field} must be a string, got ${describe(value)}`, [field]);
  if (value.length > LIMITS.attributeValue) throw fail(`${field} exceeds ${LIMITS.attributeValue} characters (got ${value.length})`, [field, LIMITS.attributeValue]);
  return value;
}

/**
 * Free attributes. `config/…` names are refused here: config values go through setConfig, so
 * that there is one way to change them (and the cascade is told).
 */
export function checkAttributes(value: unknown, fail: Fail, allowRemove: boolean): Map<string, string | null> {
  const record = checkRecord(value, 'attributes', fail);
  const result = new Map<string, string | null>();
  for (const [name, entry] of Object.entries(record)) {
    checkToken(name, 'attribute name', LIMITS.attributeName, fail);
    if (name.startsWith(CONFIG_PREFIX)) throw fail(`attribute '${name}' is a config value: change it with the config operation`, [name]);
    if (entry === null && allowRemove) result.set(name, null);
    else result.set(name, checkAttributeValue(entry, `attribute '${name}'`, fail));
  }
  return result;
}

/** `{set, remove}` of config attributes: property names without spaces, values strings; a name may not be in both. */
export function checkConfigChange(value: unknown, fail: Fail): { set: Map<string, string>; remove: Set<string> } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(`the config change must be an object with set and/or remove, got ${describe(value)}`);
  const { set, remove, ...rest } = value as { set?: unknown; remove?: unknown };
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw fail(`unknown field '${unknown[0]}' in the config change (allowed: set, remove)`, [unknown[0]]);
  const maxName = LIMITS.attributeName - CONFIG_PREFIX.length;
  const toSet = new Map<string, string>();
  if (set !== undefined) {
    for (const [name, entry] of Object.entries(checkRecord(set, 'set', fail))) {
      checkToken(name, 'property name', maxName, fail);
      toSet.set(name, checkAttributeValue(entry, `property '${name}'`, fail));
    }
  }
  const toRemove = new Set<string>();
  if (remove !== undefined) {
    for (const name of checkStringList(remove, 'remove', LIMITS.attributes, fail)) {
      const property = checkToken(name, 'property name', maxName, fail);
      if (toSet.has(property)) throw fail(`property '${property}' is both set and removed`, [property]);
      toRemove.add(property);
    }
  }
  return { set: toSet, remove: toRemove };
}

/** offset ≥ 0, 1 ≤ limit ≤ 1000 (default 100). */
export function checkPage(page: { offset?: unknown; limit?: unknown } | undefined, fail: Fail): { offset: number; limit: number } {
  const offset = page?.offset ?? 0;
  const limit = page?.limit ?? 100;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw fail(`offset must be a whole number ≥ 0, got ${describe(offset)}`, ['offset']);
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > LIMITS.pageSize) {
    throw fail(`limit must be a whole number from 1 to ${LIMITS.pageSize}, got ${describe(limit)}`, ['limit']);
  }
  return { offset, limit };
}
