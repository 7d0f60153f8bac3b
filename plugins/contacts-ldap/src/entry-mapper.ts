// LDAP entries → contacts, through a mapping; contact ids ⇄ DNs or id attribute values.
import {
  deriveDisplayName,
  type Contact, type ContactAddress, type ContactAddressType, type ContactPhone, type ContactPhoneType,
} from '@keel/plugin-sdk';
import type { Entry } from 'ldapts';
import type { Mapping, MappedTextField } from './config/mapping-config.js';

type Values = ReadonlyMap<string, string[]>;

/** Attribute values by lower-cased name (servers answer in their own spelling), as strings. */
function valuesOf(entry: Entry): Values {
  const values = new Map<string, string[]>();
  for (const [name, raw] of Object.entries(entry)) {
    if (name === 'dn') continue;
    const list = (Array.isArray(raw) ? raw : [raw]).map((value) => (Buffer.isBuffer(value) ? value.toString('utf8') : String(value))).filter((value) => value !== '');
    if (list.length > 0) values.set(name.toLowerCase(), list);
  }
  return values;
}

function first(values: Values, attributes: readonly string[] | undefined): string | undefined {
  for (const attribute of attributes ?? []) {
    const found = values.get(attribute.toLowerCase())?.[0];
    if (found !== undefined) return found;
  }
  return undefined;
}

function every(values: Values, attributes: readonly string[] | undefined): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const attribute of attributes ?? []) {
    for (const value of values.get(attribute.toLowerCase()) ?? []) {
      if (seen.has(value.toLowerCase())) continue;
      seen.add(value.toLowerCase());
      result.push(value);
    }
  }
  return result;
}

/** GeneralizedTime (`20240102030405Z`, `20240102030405.123+0100`) → milliseconds; 0 when absent or odd. */
export function generalizedTimeToMillis(value: string | undefined): number {
  const match = value === undefined ? null : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{2}(?:\d{2})?)?$/.exec(value);
  if (!match) return 0;
  const [, y, mo, d, h, mi = '0', s = '0', fraction = '0', zone = 'Z'] = match;
  let millis = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Math.round(Number(`0.${fraction}`) * 1000));
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    millis -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5) || '0')) * 60_000;
  }
  return millis;
}

/** A birthday attribute as YYYY-MM-DD (GeneralizedTime or already ISO), else undefined. */
function birthday(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const millis = generalizedTimeToMillis(value);
  return millis === 0 ? undefined : new Date(millis).toISOString().slice(0, 10);
}

/** Contact ids for DN mappings: base64url of the DN, opaque and safe in URLs and JSON. */
export function dnToId(dn: string): string {
  return Buffer.from(dn, 'utf8').toString('base64url');
}

export function idToDn(id: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return undefined;
  const dn = Buffer.from(id, 'base64url').toString('utf8');
  return dn.includes('=') && dnToId(dn) === id ? dn : undefined;
}

export function entryToContact(entry: Entry, mapping: Mapping, folderId: string): Contact | undefined {
  const values = valuesOf(entry);
  const id = mapping.id === 'dn' ? dnToId(entry.dn) : first(values, [mapping.id.attribute]);
  if (id === undefined) return undefined;
  const contact: Contact = {
    id,
    folderId,
    displayName: '',
    emails: every(values, mapping.emails),
    phones: [],
    addresses: [],
    categories: every(values, mapping.categories),
    lastModified: generalizedTimeToMillis(first(values, mapping.lastModified)),
  };
  for (const [field, attributes] of Object.entries(mapping.text) as Array<[MappedTextField, string[]]>) {
    const value = first(values, attributes);
    if (value === undefined) continue;
    if (field === 'birthday') {
      const day = birthday(value);
      if (day !== undefined) contact.birthday = day;
    } else {
      contact[field] = value;
    }
  }
  for (const [type, attributes] of Object.entries(mapping.phones) as Array<[ContactPhoneType, string[]]>) {
    for (const number of every(values, attributes)) contact.phones.push({ type, number } satisfies ContactPhone);
  }
  for (const [type, parts] of Object.entries(mapping.addresses) as Array<[ContactAddressType, Record<string, string[]>]>) {
    const address: ContactAddress = { type };
    for (const [part, attributes] of Object.entries(parts)) {
      const value = first(values, attributes);
      if (value !== undefined) address[part as Exclude<keyof ContactAddress, 'type'>] = value;
    }
    if (Object.keys(address).length > 1) contact.addresses.push(address);
  }
  contact.displayName ||= deriveDisplayName(contact);
  return contact;
}
