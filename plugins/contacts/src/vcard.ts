// vCard 3.0 (RFC 2426) and 4.0 (RFC 6350) serializer.
//
// Why our own: the libraries checked on npm did not fit. vcard4 (ESM, typed) writes 4.0 only and
// folds lines every 75 UTF-16 code units, which splits emoji and counts octets wrong, and it leaves
// a CR from CRLF in the value; vcard-creator writes 3.0 only; vcards-js and vcf are CommonJS
// without types and vcf drags in an old camelcase. Writing vCard is small: escaping, folding at
// 75 octets on code point boundaries, and a handful of properties.
import { createHash } from 'node:crypto';
import type { Contact, ContactAddressType, ContactPhoneType } from '@keel/plugin-sdk';

export type VCardVersion = '3.0' | '4.0';

export const PRODID = '-//Keel//Contacts//EN';
const CRLF = '\r\n';
const MAX_LINE_OCTETS = 75;

/** Drops control characters a vCard value cannot carry (everything below 0x20 but TAB, CR, LF, and DEL). */
function clean(value: string): string {
  return value.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '');
}

/** TEXT escaping (RFC 6350 §3.4, RFC 2426 §4): backslash, comma, semicolon, and line breaks as \n. */
export function escapeText(value: string): string {
  return clean(value).replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/;/g, '\\;').replace(/\r\n|\r|\n/g, '\\n');
}

/** URIs are not TEXT: no escaping, but no line breaks or controls either. */
function uriValue(value: string): string {
  return clean(value).replace(/[\r\n]/g, '');
}

/**
 * Folds a content line so no physical line exceeds 75 octets (CRLF excluded), breaking only between
 * code points so multi-byte UTF-8 sequences stay whole; continuation lines start with one space.
 */
export function foldLine(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= MAX_LINE_OCTETS) return line;
  const lines: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    const limit = lines.length === 0 ? MAX_LINE_OCTETS : MAX_LINE_OCTETS - 1;
    if (octets + size > limit) {
      lines.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  lines.push(current);
  return lines.join(`${CRLF} `);
}

/** A stable urn:uuid for a contact (name-based, version-5 layout), so re-exports update rather than duplicate. */
export function contactUid(contact: Pick<Contact, 'folderId' | 'id'>): string {
  const hash = createHash('sha1').update(`keel-contact:${contact.folderId}:${contact.id}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const PHONE_TYPES: Record<ContactPhoneType, { v3: string; v4: string }> = {
  business: { v3: 'WORK,VOICE', v4: 'work,voice' },
  home: { v3: 'HOME,VOICE', v4: 'home,voice' },
  mobile: { v3: 'CELL,VOICE', v4: 'cell,voice' },
  fax: { v3: 'WORK,FAX', v4: 'work,fax' },
  other: { v3: 'VOICE', v4: 'voice' },
};

const ADDRESS_TYPES: Record<ContactAddressType, { v3: string; v4: string } | undefined> = {
  business: { v3: 'WORK', v4: 'work' },
  home: { v3: 'HOME', v4: 'home' },
  other: undefined,
};

function timestamp(ms: number, version: VCardVersion): string {
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return version === '4.0' ? iso.replace(/[-:]/g, '') : iso;
}

/** One vCard, CRLF line endings, every line folded. */
export function contactToVCard(contact: Contact, version: VCardVersion): string {
  const v4 = version === '4.0';
  const lines: string[] = ['BEGIN:VCARD', `VERSION:${version}`, `PRODID:${PRODID}`];
  const add = (name: string, value: string) => lines.push(`${name}:${value}`);
  const compound = (...parts: Array<string | undefined>) => parts.map((part) => escapeText(part ?? '')).join(';');

  add('UID', contactUid(contact));
  add('FN', escapeText(contact.displayName));
  const hasName = [contact.surname, contact.givenName, contact.middleName, contact.prefix, contact.suffix].some((part) => part !== undefined);
  // N is required in 3.0 and optional in 4.0.
  if (hasName || !v4) add('N', compound(contact.surname, contact.givenName, contact.middleName, contact.prefix, contact.suffix));
  if (contact.nickname) add('NICKNAME', escapeText(contact.nickname));
  contact.emails.forEach((email, index) => {
    const pref = index === 0 ? (v4 ? ';PREF=1' : ',PREF') : '';
    add(v4 ? `EMAIL${pref}` : `EMAIL;TYPE=INTERNET${pref}`, escapeText(email));
  });
  for (const phone of contact.phones) {
    const types = PHONE_TYPES[phone.type];
    add(`TEL;TYPE=${v4 ? types.v4 : types.v3}`, escapeText(phone.number));
  }
  for (const address of contact.addresses) {
    const type = ADDRESS_TYPES[address.type];
    // ADR: post office box; extended address; street; locality; region; postal code; country
    add(type ? `ADR;TYPE=${v4 ? type.v4 : type.v3}` : 'ADR', compound('', '', address.street, address.city, address.region, address.postalCode, address.country));
  }
  if (contact.company || contact.department) add('ORG', compound(contact.company, ...(contact.department ? [contact.department] : [])));
  if (contact.position) add('TITLE', escapeText(contact.position));
  if (contact.birthday) add('BDAY', v4 ? contact.birthday.replace(/-/g, '') : contact.birthday);
  if (contact.url) add('URL', uriValue(contact.url));
  if (contact.note) add('NOTE', escapeText(contact.note));
  if (contact.categories.length > 0) add('CATEGORIES', contact.categories.map(escapeText).join(','));
  if (contact.lastModified > 0) add('REV', timestamp(contact.lastModified, version));
  lines.push('END:VCARD');
  return lines.map(foldLine).join(CRLF) + CRLF;
}
