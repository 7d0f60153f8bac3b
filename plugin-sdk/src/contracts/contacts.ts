import { createServiceRef } from '../service-ref.js';

/**
 * Contacts: address books served by pluggable storages.
 *
 * Every folder of contacts is served by one {@link ContactStorage}. Several storages may claim the
 * same folder; **the storage with the highest ranking that serves a folder handles it** (ties go
 * to the one registered first, as everywhere in the registry). So overriding a folder, e.g. the
 * global address book, is nothing but registering a storage that serves it with a higher ranking:
 *
 * ```ts
 * register(contactStorageRef, myLdapStorage, { ranking: 100 }); // contacts-sql registers with 0
 * ```
 *
 * Consumers (the `contacts` HTTP module) track every storage and decide per request, because
 * storages come and go at runtime (bundles stop and start, packages are enabled on reload).
 *
 * Errors: throw `KeelError` with the codes in {@link ContactErrorCodes} where they fit, or your
 * own stable codes for backend trouble (e.g. `CLDAP-0002` "LDAP server unreachable", status 503).
 * A storage whose backend is down must fail fast with such an error (within its timeout) and
 * never hang: the other folders keep working.
 */

/** The folder id of the global address book: every user of the context (contacts-sql), or an override. */
export const GLOBAL_ADDRESS_BOOK_FOLDER_ID = '6';

/** Who is asking. Storages decide visibility from it; user-bound backends take credentials from it. */
export interface ContactCaller {
  contextId: number;
  userId: number;
  /** The login name of the session (as typed at login), for backends that bind as the user. */
  loginName?: string;
  /**
   * The session's login password. Only present while some bundle asked sessions to retain
   * passwords (`SessionService.retainPasswords`). Never log or store it.
   */
  password?: string;
}

/** A folder a storage serves for a caller. */
export interface ContactFolder {
  /** Unique within the context across all storages: prefix your ids (`ldap.corp.sales`) unless you override one on purpose. */
  id: string;
  name: string;
  /** `private`: the caller's own folder; `public`: shared by many users (the global address book). */
  type: 'private' | 'public';
  /** Writes (`create`, `update`, `delete`) throw `CON-0003`. */
  readOnly: boolean;
  /** The caller's default folder for new contacts (at most one per caller). */
  isDefault?: boolean;
  /** Owner of a private folder. */
  ownerId?: number;
}

export type ContactPhoneType = 'business' | 'home' | 'mobile' | 'fax' | 'other';
export interface ContactPhone {
  type: ContactPhoneType;
  number: string;
}

export type ContactAddressType = 'business' | 'home' | 'other';
export interface ContactAddress {
  type: ContactAddressType;
  street?: string;
  city?: string;
  postalCode?: string;
  region?: string;
  country?: string;
}

/** The editable part of a contact. */
export interface ContactData {
  /** What lists show. When a caller leaves it empty, storages derive it (given + surname, else company, else first mail). */
  displayName: string;
  givenName?: string;
  surname?: string;
  middleName?: string;
  /** Honorific prefix ("Dr."). */
  prefix?: string;
  /** Honorific suffix ("Jr."). */
  suffix?: string;
  nickname?: string;
  /** Mail addresses, the preferred one first. */
  emails: string[];
  phones: ContactPhone[];
  addresses: ContactAddress[];
  company?: string;
  department?: string;
  /** Job title. */
  position?: string;
  /** `YYYY-MM-DD`. */
  birthday?: string;
  url?: string;
  note?: string;
  categories: string[];
}

/** A contact as storages return it. */
export interface Contact extends ContactData {
  /** Unique within its folder; opaque to consumers (an LDAP storage may encode a DN). */
  id: string;
  folderId: string;
  /** The user this contact describes (global address book entries made from users). */
  userId?: number;
  /** Milliseconds since the epoch; 0 when the source does not know. Used for optimistic concurrency. */
  lastModified: number;
  createdAt?: number;
}

/** Input of `create`: `displayName`, `emails`, `phones`, `addresses` and `categories` may be left out. */
export type ContactInput = Partial<ContactData>;

/** Input of `update`: a field left out stays; `null` (or an empty list) clears it. */
export type ContactChanges = { [K in keyof ContactData]?: ContactData[K] | null };

/** Sortable fields; `email` sorts by the first address. Ties are broken by `id` so pages never overlap. */
export type ContactSortField = 'displayName' | 'givenName' | 'surname' | 'company' | 'email' | 'lastModified';
export const CONTACT_SORT_FIELDS: readonly ContactSortField[] = ['displayName', 'givenName', 'surname', 'company', 'email', 'lastModified'];

export interface ContactSort {
  field: ContactSortField;
  order: 'asc' | 'desc';
}

/** Paging and sorting of `list` and `search`. Default sort: displayName ascending. */
export interface ContactListOptions {
  /** Entries to skip (default 0). */
  offset?: number;
  /** Maximum entries to return (default and cap: the storage's own maximum, at least 1000). */
  limit?: number;
  sort?: ContactSort;
}

export interface ContactSearch extends ContactListOptions {
  /**
   * What the user typed. Matches, case-insensitively, contacts whose display name, given name,
   * surname or any mail address **starts with** the pattern; `*` inside the pattern stands for any
   * run of characters (`*son` finds "Johnson"). An empty pattern or `*` matches every contact.
   * Every other character is literal: storages must never let it change their query (escape it
   * for SQL LIKE, RFC 4515 for LDAP filters). Use {@link parseContactPattern}. A pattern holding a
   * control character matches nothing ({@link patternMatchesNothing}): LDAP string preparation
   * would drop it (turning `\0` into "everything") and SQLite's LIKE stops at a NUL.
   */
  pattern: string;
}

export interface ContactPage {
  contacts: Contact[];
  /** Number of entries in the folder (list) or of matches (search), when the storage knows it. */
  total?: number;
  /** True when the storage stopped at a size limit: there may be more entries than it looked at. */
  truncated?: boolean;
}

export interface ContactStorageCapabilities {
  /** True when no folder of this storage accepts writes (LDAP). */
  readOnly: boolean;
  /** Fields `list`/`search` can sort by; others fall back to displayName. */
  sortFields: readonly ContactSortField[];
}

/** Options of `update` and `delete`. */
export interface ContactWriteOptions {
  /**
   * The `lastModified` the client last saw. When the contact changed since, the write fails with
   * `CON-0004` (409) instead of overwriting someone else's change.
   */
  ifUnmodifiedSince?: number;
}

/**
 * A source of contact folders (multiple ref `contacts.storage` 1.0.0). Register it from your bundle's
 * `start`; the ranking decides who handles a folder several storages serve.
 *
 * Rules every implementation follows:
 * - `serves` is cheap and must agree with `folders`: it runs on every request for routing.
 * - Folder ids are strings, unique per context across storages unless you override on purpose.
 * - `list` and `search` honour offset/limit/sort (see {@link compareContacts} for the order) and
 *   never return more than the limit.
 * - Writes to a read-only folder throw `CON-0003` (403), unknown contacts `CON-0002` (404).
 * - A backend that is down or slow answers a KeelError (503/504) within a bounded time.
 */
export interface ContactStorage {
  /** Short name for logs and error messages (`sql`, `ldap`). */
  readonly name: string;
  readonly capabilities: ContactStorageCapabilities;
  /** The folders this storage serves for the caller. */
  folders(caller: ContactCaller): Promise<ContactFolder[]>;
  /** Whether this storage serves `folderId` for the caller (cheap: called per request for routing). */
  serves(caller: ContactCaller, folderId: string): Promise<boolean>;
  list(caller: ContactCaller, folderId: string, options?: ContactListOptions): Promise<ContactPage>;
  /** The contact, or undefined when the folder has no such contact. */
  get(caller: ContactCaller, folderId: string, id: string): Promise<Contact | undefined>;
  search(caller: ContactCaller, folderId: string, search: ContactSearch): Promise<ContactPage>;
  create(caller: ContactCaller, folderId: string, input: ContactInput): Promise<Contact>;
  update(caller: ContactCaller, folderId: string, id: string, changes: ContactChanges, options?: ContactWriteOptions): Promise<Contact>;
  delete(caller: ContactCaller, folderId: string, id: string, options?: ContactWriteOptions): Promise<void>;
}

export const contactStorageRef = createServiceRef<ContactStorage>({ id: 'contacts.storage', version: '1.0.0', multiple: true });

/** Stable error codes of the contacts domain (KeelError `code`, HTTP status in brackets). */
export const ContactErrorCodes = {
  /** No storage serves the folder for this caller [404]. */
  folderNotFound: 'CON-0001',
  /** The folder has no such contact [404]. */
  contactNotFound: 'CON-0002',
  /** The folder is read-only [403]. */
  folderReadOnly: 'CON-0003',
  /** The contact changed since the client's timestamp [409]. */
  conflict: 'CON-0004',
  /** Invalid input: a field too long, a malformed mail address or date [400]. */
  invalidInput: 'CON-0005',
} as const;

/** One piece of a search pattern: literal text, or a wildcard standing for any run of characters. */
export type ContactPatternPart = { literal: string } | { wildcard: true };

/**
 * Splits a search pattern into literal runs and wildcards, always ending in a wildcard (patterns
 * match prefixes). Consecutive wildcards collapse. `''` and `'*'` give `[{ wildcard }]`.
 */
export function parseContactPattern(pattern: string): ContactPatternPart[] {
  const parts: ContactPatternPart[] = [];
  for (const [index, literal] of pattern.split('*').entries()) {
    if (index > 0 && !(parts.at(-1) && 'wildcard' in parts.at(-1)!)) parts.push({ wildcard: true });
    if (literal !== '') parts.push({ literal });
  }
  if (!(parts.at(-1) && 'wildcard' in parts.at(-1)!)) parts.push({ wildcard: true });
  return parts;
}

/** True for patterns with a control character (U+0000–U+001F, U+007F–U+009F): they match no contact. */
export function patternMatchesNothing(pattern: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f]/.test(pattern);
}

/** Whether `value` matches the pattern parts (case-insensitive, anchored at the start). */
export function valueMatchesPattern(value: string, parts: readonly ContactPatternPart[]): boolean {
  const text = value.toLowerCase();
  let position = 0;
  let floating = false;
  for (const part of parts) {
    if ('wildcard' in part) {
      floating = true;
      continue;
    }
    const literal = part.literal.toLowerCase();
    const found = floating ? text.indexOf(literal, position) : text.startsWith(literal, position) ? position : -1;
    if (found < 0) return false;
    position = found + literal.length;
    floating = false;
  }
  return floating || position === text.length;
}

/** The search semantics for storages that filter in memory: name fields and every mail address. */
export function contactMatchesPattern(contact: Contact, parts: readonly ContactPatternPart[]): boolean {
  const fields = [contact.displayName, contact.givenName, contact.surname, ...contact.emails];
  return fields.some((field) => field !== undefined && valueMatchesPattern(field, parts));
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

function sortValue(contact: Contact, field: ContactSortField): string | number {
  switch (field) {
    case 'lastModified':
      return contact.lastModified;
    case 'email':
      return contact.emails[0] ?? '';
    default:
      return contact[field] ?? '';
  }
}

/**
 * The order `list` and `search` use: the field (case-insensitive, numbers in text compared as
 * numbers), empty values last, ties broken by id. Storages that sort in memory use it as is;
 * SQL storages approximate it with lower-cased key columns.
 */
export function compareContacts(sort: ContactSort = { field: 'displayName', order: 'asc' }): (a: Contact, b: Contact) => number {
  const direction = sort.order === 'desc' ? -1 : 1;
  return (a, b) => {
    const left = sortValue(a, sort.field);
    const right = sortValue(b, sort.field);
    let result: number;
    if (typeof left === 'number' && typeof right === 'number') result = left - right;
    else if (left === '' || right === '') result = left === right ? 0 : left === '' ? 1 : -1;
    else result = collator.compare(String(left), String(right));
    if (result !== 0) return left === '' || right === '' ? result : result * direction;
    return a.id < b.id ? -direction : a.id > b.id ? direction : 0;
  };
}

/** A display name for input that has none: given + surname, else company, else the first mail address. */
export function deriveDisplayName(data: Partial<ContactData>): string {
  const name = [data.givenName, data.surname].filter((part) => part !== undefined && part.trim() !== '').join(' ').trim();
  return name || data.company?.trim() || data.emails?.[0]?.trim() || '';
}
