// Checks and normalises contact input before it reaches the tables (CON-0005 on anything wrong).
import {
  deriveDisplayName,
  type ContactAddress, type ContactAddressType, type ContactChanges, type ContactData, type ContactPhone, type ContactPhoneType,
} from '@keel/plugin-sdk';
import { invalidInput } from './errors.js';

export const LIMITS = {
  text: 255,
  note: 10_000,
  url: 1024,
  emails: 10,
  phones: 20,
  addresses: 5,
  categories: 50,
  phone: 64,
  /** The serialised row must fit a TEXT column with room to spare. */
  record: 60_000,
} as const;

const TEXT_FIELDS = ['displayName', 'givenName', 'surname', 'middleName', 'prefix', 'suffix', 'nickname', 'company', 'department', 'position'] as const;
const FIELDS = new Set<string>([...TEXT_FIELDS, 'emails', 'phones', 'addresses', 'birthday', 'url', 'note', 'categories']);
const PHONE_TYPES = new Set<ContactPhoneType>(['business', 'home', 'mobile', 'fax', 'other']);
const ADDRESS_TYPES = new Set<ContactAddressType>(['business', 'home', 'other']);
const ADDRESS_FIELDS = ['street', 'city', 'postalCode', 'region', 'country'] as const;

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}

function text(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidInput(`${field} must be a string, got ${describe(value)}`, [field]);
  const trimmed = value.trim();
  if (trimmed.length > max) throw invalidInput(`${field} exceeds ${max} characters`, [field, max]);
  // NUL is never meaningful in a contact and MySQL/SQLite disagree about it.
  if (trimmed.includes('\0')) throw invalidInput(`${field} must not contain NUL characters`, [field]);
  return trimmed === '' ? undefined : trimmed;
}

function list(value: unknown, field: string, max: number): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidInput(`${field} must be a list, got ${describe(value)}`, [field]);
  if (value.length > max) throw invalidInput(`${field} holds more than ${max} entries`, [field, max]);
  return value;
}

function checkEmail(value: unknown, index: number): string {
  const address = text(value, `emails[${index}]`, LIMITS.text);
  if (address === undefined) throw invalidInput(`emails[${index}] is empty`, ['emails']);
  // Deliberately loose: one @, something on both sides, no whitespace.
  if (!/^[^\s@]+@[^\s@]+$/.test(address)) throw invalidInput(`emails[${index}] "${address}" is not a mail address`, ['emails', address]);
  return address;
}

function checkPhone(value: unknown, index: number): ContactPhone {
  if (typeof value !== 'object' || value === null) throw invalidInput(`phones[${index}] must be an object {type, number}`, ['phones']);
  const { type, number } = value as Record<string, unknown>;
  if (!PHONE_TYPES.has(type as ContactPhoneType)) throw invalidInput(`phones[${index}].type must be one of ${[...PHONE_TYPES].join(', ')}`, ['phones']);
  const checked = text(number, `phones[${index}].number`, LIMITS.phone);
  if (checked === undefined) throw invalidInput(`phones[${index}].number is empty`, ['phones']);
  return { type: type as ContactPhoneType, number: checked };
}

function checkAddress(value: unknown, index: number): ContactAddress | undefined {
  if (typeof value !== 'object' || value === null) throw invalidInput(`addresses[${index}] must be an object`, ['addresses']);
  const record = value as Record<string, unknown>;
  if (!ADDRESS_TYPES.has(record['type'] as ContactAddressType)) {
    throw invalidInput(`addresses[${index}].type must be one of ${[...ADDRESS_TYPES].join(', ')}`, ['addresses']);
  }
  const address: ContactAddress = { type: record['type'] as ContactAddressType };
  for (const field of ADDRESS_FIELDS) {
    const checked = text(record[field], `addresses[${index}].${field}`, LIMITS.text);
    if (checked !== undefined) address[field] = checked;
  }
  return Object.keys(address).length > 1 ? address : undefined;
}

function checkBirthday(value: unknown): string | undefined {
  const day = text(value, 'birthday', 10);
  if (day === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!date || date.toISOString().slice(0, 10) !== day) throw invalidInput(`birthday "${day}" is not a date YYYY-MM-DD`, ['birthday']);
  return day;
}

/** A complete, checked ContactData from create input. */
export function normalizeContactInput(input: unknown): ContactData {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalidInput(`a contact must be an object, got ${describe(input)}`);
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!FIELDS.has(key)) throw invalidInput(`unknown contact field '${key}'`, [key]);
  }
  const data: ContactData = {
    displayName: '',
    emails: dedupe(list(record['emails'], 'emails', LIMITS.emails).map(checkEmail)),
    phones: list(record['phones'], 'phones', LIMITS.phones).map(checkPhone),
    addresses: list(record['addresses'], 'addresses', LIMITS.addresses).map(checkAddress).filter((a): a is ContactAddress => a !== undefined),
    categories: dedupe(list(record['categories'], 'categories', LIMITS.categories).map((c, i) => text(c, `categories[${i}]`, 100)).filter((c): c is string => c !== undefined)),
  };
  for (const field of TEXT_FIELDS) {
    const value = text(record[field], field, LIMITS.text);
    if (value !== undefined) data[field] = value;
  }
  const birthday = checkBirthday(record['birthday']);
  if (birthday !== undefined) data.birthday = birthday;
  const url = text(record['url'], 'url', LIMITS.url);
  if (url !== undefined) data.url = url;
  const note = text(record['note'], 'note', LIMITS.note);
  if (note !== undefined) data.note = note;
  data.displayName ||= deriveDisplayName(data);
  if (data.displayName === '') throw invalidInput('a contact needs at least a display name, a name, a company or a mail address');
  if (JSON.stringify(data).length > LIMITS.record) throw invalidInput(`the contact is too large (over ${LIMITS.record} characters)`);
  return data;
}

/** The existing data with changes applied: absent fields stay, null clears. Re-checked as a whole. */
export function applyContactChanges(existing: ContactData, changes: ContactChanges): ContactData {
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) throw invalidInput(`changes must be an object, got ${describe(changes)}`);
  const merged: Record<string, unknown> = { ...existing };
  for (const [key, value] of Object.entries(changes)) {
    if (!FIELDS.has(key)) throw invalidInput(`unknown contact field '${key}'`, [key]);
    if (value === undefined) continue;
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  // A cleared display name is derived again from what is left.
  if (changes.displayName === null || changes.displayName === '') merged['displayName'] = '';
  return normalizeContactInput(merged);
}

function dedupe(values: string[]): string[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = value.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
