// Contacts on the wire: the App Suite HTTP API's field names (display_name, email1, telephone_business1 …).
import type { Contact, ContactAddress, ContactAddressType, ContactChanges, ContactData, ContactInput, ContactPhone, ContactPhoneType } from '@keel/plugin-sdk';
import { badBody } from './errors.js';

export type ContactJson = Record<string, string | number | null>;

/** Simple text fields: JSON name → contract field. */
const TEXT_FIELDS = {
  display_name: 'displayName',
  first_name: 'givenName',
  last_name: 'surname',
  second_name: 'middleName',
  title: 'prefix',
  suffix: 'suffix',
  nickname: 'nickname',
  company: 'company',
  department: 'department',
  position: 'position',
  url: 'url',
  note: 'note',
} as const satisfies Record<string, keyof ContactData>;

const EMAIL_FIELDS = ['email1', 'email2', 'email3'] as const;

/** Phone slots of the App Suite model, per contract phone type. */
const PHONE_FIELDS: Record<ContactPhoneType, readonly string[]> = {
  business: ['telephone_business1', 'telephone_business2'],
  home: ['telephone_home1', 'telephone_home2'],
  mobile: ['cellular_telephone1', 'cellular_telephone2'],
  fax: ['fax_business'],
  other: ['telephone_other'],
};

const ADDRESS_PARTS = { street: 'street', city: 'city', postalCode: 'postal_code', region: 'state', country: 'country' } as const;
const ADDRESS_TYPES: readonly ContactAddressType[] = ['business', 'home', 'other'];

/** Every JSON field a client may send in new/update. */
export const WRITABLE_FIELDS: ReadonlySet<string> = new Set([
  ...Object.keys(TEXT_FIELDS),
  ...EMAIL_FIELDS,
  ...Object.values(PHONE_FIELDS).flat(),
  ...ADDRESS_TYPES.flatMap((type) => Object.values(ADDRESS_PARTS).map((part) => `${part}_${type}`)),
  'birthday',
  'categories',
]);

function birthdayToMillis(day: string): number {
  const [year, month, date] = day.split('-').map(Number);
  return Date.UTC(year!, month! - 1, date!);
}

function millisToBirthday(value: unknown): string {
  const millis = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof millis !== 'number' || !Number.isFinite(millis)) throw badBody(`field "birthday" must be a UTC midnight timestamp in milliseconds`);
  return new Date(millis).toISOString().slice(0, 10);
}

/** The App Suite JSON of a contact; fields without a value are left out. */
export function contactToJson(contact: Contact): ContactJson {
  const json: ContactJson = { id: contact.id, folder_id: contact.folderId, last_modified: contact.lastModified };
  if (contact.createdAt !== undefined) json['creation_date'] = contact.createdAt;
  if (contact.userId !== undefined) json['internal_userid'] = contact.userId;
  for (const [name, field] of Object.entries(TEXT_FIELDS)) {
    const value = contact[field];
    if (value !== undefined && value !== '') json[name] = value;
  }
  contact.emails.slice(0, EMAIL_FIELDS.length).forEach((email, index) => {
    json[EMAIL_FIELDS[index]!] = email;
  });
  for (const [type, slots] of Object.entries(PHONE_FIELDS) as Array<[ContactPhoneType, readonly string[]]>) {
    contact.phones.filter((phone) => phone.type === type).slice(0, slots.length).forEach((phone, index) => {
      json[slots[index]!] = phone.number;
    });
  }
  for (const address of contact.addresses) {
    for (const [part, name] of Object.entries(ADDRESS_PARTS) as Array<[keyof typeof ADDRESS_PARTS, string]>) {
      const value = address[part];
      if (value !== undefined) json[`${name}_${address.type}`] = value;
    }
  }
  if (contact.birthday) json['birthday'] = birthdayToMillis(contact.birthday);
  if (contact.categories.length > 0) json['categories'] = contact.categories.join(',');
  return json;
}

function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') throw badBody(`field "${name}" must be a string`);
  return value;
}

/**
 * A complete ContactInput from App Suite JSON. Unknown fields are refused (CON-0011) rather than
 * silently dropped, so a client notices a typo; `id`, `folder_id` and timestamps are ignored.
 */
export function jsonToContactInput(body: unknown): ContactInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badBody('must be a JSON object describing a contact');
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!WRITABLE_FIELDS.has(key) && !['id', 'folder_id', 'folder', 'last_modified', 'creation_date', 'internal_userid'].includes(key)) {
      throw badBody(`has an unknown contact field "${key}"`);
    }
  }
  const input: ContactInput = { emails: [], phones: [], addresses: [], categories: [] };
  for (const [name, field] of Object.entries(TEXT_FIELDS)) {
    const value = stringField(record, name);
    if (value !== undefined) input[field] = value;
  }
  for (const name of EMAIL_FIELDS) {
    const value = stringField(record, name);
    if (value !== undefined) input.emails!.push(value);
  }
  for (const [type, slots] of Object.entries(PHONE_FIELDS) as Array<[ContactPhoneType, readonly string[]]>) {
    for (const slot of slots) {
      const number = stringField(record, slot);
      if (number !== undefined) input.phones!.push({ type, number } satisfies ContactPhone);
    }
  }
  for (const type of ADDRESS_TYPES) {
    const address: ContactAddress = { type };
    for (const [part, name] of Object.entries(ADDRESS_PARTS) as Array<[keyof typeof ADDRESS_PARTS, string]>) {
      const value = stringField(record, `${name}_${type}`);
      if (value !== undefined) address[part] = value;
    }
    if (Object.keys(address).length > 1) input.addresses!.push(address);
  }
  if (record['birthday'] !== undefined && record['birthday'] !== null && record['birthday'] !== '') input.birthday = millisToBirthday(record['birthday']);
  const categories = stringField(record, 'categories');
  if (categories !== undefined) input.categories = categories.split(',').map((c) => c.trim()).filter(Boolean);
  return input;
}

/** Which contract field a JSON field belongs to. */
function contractFieldOf(name: string): keyof ContactData | undefined {
  if (name in TEXT_FIELDS) return TEXT_FIELDS[name as keyof typeof TEXT_FIELDS];
  if ((EMAIL_FIELDS as readonly string[]).includes(name)) return 'emails';
  if (Object.values(PHONE_FIELDS).some((slots) => slots.includes(name))) return 'phones';
  if (name === 'birthday' || name === 'categories') return name;
  if (WRITABLE_FIELDS.has(name)) return 'addresses';
  return undefined;
}

/**
 * The changes an update body makes to an existing contact. Only the contract fields the body
 * touches change: a body setting `email2` rewrites the mail list from email1..3 merged with the
 * stored ones, one not mentioning mail leaves every stored address alone (also beyond three).
 * `null` or `""` clears a field.
 */
export function jsonToContactChanges(existing: Contact, body: unknown): ContactChanges {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badBody('must be a JSON object with the fields to change');
  const record = body as Record<string, unknown>;
  const touched = new Set<keyof ContactData>();
  for (const key of Object.keys(record)) {
    const field = contractFieldOf(key);
    if (field !== undefined) touched.add(field);
    else if (!['id', 'folder_id', 'folder', 'last_modified', 'creation_date', 'internal_userid'].includes(key)) throw badBody(`has an unknown contact field "${key}"`);
  }
  const merged = jsonToContactInput({ ...withoutMeta(contactToJson(existing)), ...record });
  const changes: ContactChanges = {};
  for (const field of touched) {
    const value = merged[field];
    (changes as Record<string, unknown>)[field] = value === undefined || (Array.isArray(value) && value.length === 0) ? null : value;
  }
  return changes;
}

function withoutMeta(json: ContactJson): ContactJson {
  const { id: _id, folder_id: _folder, last_modified: _modified, creation_date: _created, internal_userid: _user, ...rest } = json;
  return rest;
}
