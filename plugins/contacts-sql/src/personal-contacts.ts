// Contacts in personal folders: one row per contact, JSON data plus lower-cased key columns.
import type {
  Contact, ContactChanges, ContactData, ContactInput, ContactListOptions, ContactPage, ContactSearch, ContactSortField, ContactWriteOptions, Database,
} from '@keel/plugin-sdk';
import { patternMatchesNothing } from '@keel/plugin-sdk';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { applyContactChanges, normalizeContactInput } from './contact-validation.js';
import { conflict, contactNotFound } from './errors.js';
import { LIKE_ESCAPE, matchesEverything, toLikePattern } from './like-pattern.js';
import type { ContactsDb, ContactsTrx, ContactTables } from './schema.js';
import type { Sequences } from './sequences.js';

type EntryRow = ContactTables['contacts_entries'];
type EntryExpressions = ExpressionBuilder<ContactTables, 'contacts_entries'>;

export const MAX_LIMIT = 1000;

const SORT_COLUMNS: Record<ContactSortField, 'display_key' | 'given_key' | 'surname_key' | 'company_key' | 'email_key' | 'last_modified'> = {
  displayName: 'display_key',
  givenName: 'given_key',
  surname: 'surname_key',
  company: 'company_key',
  email: 'email_key',
  lastModified: 'last_modified',
};

/** Lower-cased and cut to the column width in code points (MySQL counts characters, not UTF-16 units). */
function key(value: string | undefined): string {
  return Array.from((value ?? '').toLowerCase()).slice(0, 255).join('');
}

function keyColumns(data: ContactData): Pick<EntryRow, 'display_key' | 'given_key' | 'surname_key' | 'company_key' | 'email_key'> {
  return {
    display_key: key(data.displayName),
    given_key: key(data.givenName),
    surname_key: key(data.surname),
    company_key: key(data.company),
    email_key: key(data.emails[0]),
  };
}

function toContact(row: EntryRow): Contact {
  const data = JSON.parse(row.data) as ContactData;
  return { ...data, id: String(row.id), folderId: String(row.folder_id), lastModified: Number(row.last_modified), createdAt: Number(row.created_at) };
}

function dataOf(contact: Contact): ContactData {
  const { id: _id, folderId: _folderId, lastModified: _lastModified, createdAt: _createdAt, userId: _userId, ...data } = contact;
  return data;
}

function parseContactId(id: string): number | undefined {
  return /^[1-9]\d{0,9}$/.test(id) ? Number(id) : undefined;
}

function pageBounds(options: ContactListOptions): { offset: number; limit: number } {
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  const limit = Math.min(MAX_LIMIT, Math.max(0, Math.floor(options.limit ?? MAX_LIMIT)));
  return { offset, limit };
}

/** Prefix match over the name keys and every mail address; the pattern is bound, never spliced in. */
function patternCondition(pattern: string): (eb: EntryExpressions) => Expression<SqlBool> {
  const like = toLikePattern(pattern);
  const escape = sql.lit(LIKE_ESCAPE);
  return (eb) => eb.or([
    sql<SqlBool>`${eb.ref('display_key')} like ${like} escape ${escape}`,
    sql<SqlBool>`${eb.ref('given_key')} like ${like} escape ${escape}`,
    sql<SqlBool>`${eb.ref('surname_key')} like ${like} escape ${escape}`,
    eb.exists(
      eb.selectFrom('contacts_emails').select(sql.lit(1).as('one'))
        .whereRef('contacts_emails.context_id', '=', 'contacts_entries.context_id')
        .whereRef('contacts_emails.contact_id', '=', 'contacts_entries.id')
        .where(sql<SqlBool>`${sql.ref('contacts_emails.address_key')} like ${like} escape ${escape}`),
    ),
  ]);
}

export interface PersonalContacts {
  list(contextId: number, folderId: number, options: ContactListOptions): Promise<ContactPage>;
  search(contextId: number, folderId: number, search: ContactSearch): Promise<ContactPage>;
  get(contextId: number, folderId: number, id: string): Promise<Contact | undefined>;
  create(contextId: number, folderId: number, input: ContactInput): Promise<Contact>;
  update(contextId: number, folderId: number, id: string, changes: ContactChanges, options: ContactWriteOptions): Promise<Contact>;
  delete(contextId: number, folderId: number, id: string, options: ContactWriteOptions): Promise<void>;
}

export function createPersonalContacts(database: Database, sequences: Sequences): PersonalContacts {
  const db = database.db as ContactsDb;
  const transaction = <T>(work: (trx: ContactsTrx) => Promise<T>): Promise<T> => database.transaction((trx) => work(trx as unknown as ContactsTrx));

  async function page(contextId: number, folderId: number, options: ContactListOptions, pattern?: string): Promise<ContactPage> {
    const { offset, limit } = pageBounds(options);
    // Control characters match nothing (the contract): SQLite's LIKE would stop reading the pattern
    // at a NUL, turning `x\0` into `x`, so the database is not even asked.
    if (pattern !== undefined && patternMatchesNothing(pattern)) return { contacts: [], total: 0 };
    const filter = pattern !== undefined && !matchesEverything(pattern) ? patternCondition(pattern) : undefined;
    let base = db.selectFrom('contacts_entries').where('context_id', '=', contextId).where('folder_id', '=', folderId);
    if (filter) base = base.where(filter);
    const { total } = await base.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow();
    if (limit === 0) return { contacts: [], total: Number(total) };
    const sort = options.sort ?? { field: 'displayName', order: 'asc' };
    const column = SORT_COLUMNS[sort.field] ?? 'display_key';
    let query = base.selectAll();
    // Empty values last in both directions, as compareContacts does.
    if (column !== 'last_modified') query = query.orderBy(sql`case when ${sql.ref(column)} = '' then 1 else 0 end`);
    const rows = await query
      .orderBy(column, sort.order)
      .orderBy('id', sort.order)
      .limit(limit).offset(offset)
      .execute();
    return { contacts: rows.map(toContact), total: Number(total) };
  }

  async function load(trx: ContactsTrx, contextId: number, folderId: number, id: string): Promise<EntryRow> {
    const numeric = parseContactId(id);
    if (numeric === undefined) throw contactNotFound(String(folderId), id);
    const select = trx.selectFrom('contacts_entries').selectAll()
      .where('context_id', '=', contextId).where('folder_id', '=', folderId).where('id', '=', numeric);
    // MySQL: lock the row so concurrent updates serialise; SQLite transactions hold the write lock already.
    const row = await (database.dialect === 'mysql' ? select.forUpdate() : select).executeTakeFirst();
    if (!row) throw contactNotFound(String(folderId), id);
    return row;
  }

  function checkUnmodified(row: EntryRow, options: ContactWriteOptions): void {
    if (options.ifUnmodifiedSince !== undefined && Number(row.last_modified) > options.ifUnmodifiedSince) {
      throw conflict(String(row.id), Number(row.last_modified), options.ifUnmodifiedSince);
    }
  }

  async function writeEmails(trx: ContactsTrx, contextId: number, contactId: number, emails: readonly string[]): Promise<void> {
    await trx.deleteFrom('contacts_emails').where('context_id', '=', contextId).where('contact_id', '=', contactId).execute();
    if (emails.length === 0) return;
    await trx.insertInto('contacts_emails')
      .values(emails.map((address, position) => ({ context_id: contextId, contact_id: contactId, position, address_key: key(address) })))
      .execute();
  }

  return {
    list: (contextId, folderId, options) => page(contextId, folderId, options),
    search: (contextId, folderId, search) => page(contextId, folderId, search, search.pattern),
    async get(contextId, folderId, id) {
      const numeric = parseContactId(id);
      if (numeric === undefined) return undefined;
      const row = await db.selectFrom('contacts_entries').selectAll()
        .where('context_id', '=', contextId).where('folder_id', '=', folderId).where('id', '=', numeric)
        .executeTakeFirst();
      return row ? toContact(row) : undefined;
    },
    async create(contextId, folderId, input) {
      const data = normalizeContactInput(input);
      await sequences.prepare(contextId, 'contact');
      return transaction(async (trx) => {
        const id = await sequences.next(trx, contextId, 'contact');
        const now = Date.now();
        const row: EntryRow = { context_id: contextId, id, folder_id: folderId, ...keyColumns(data), data: JSON.stringify(data), created_at: now, last_modified: now };
        await trx.insertInto('contacts_entries').values(row).execute();
        await writeEmails(trx, contextId, id, data.emails);
        return toContact(row);
      });
    },
    async update(contextId, folderId, id, changes, options) {
      return transaction(async (trx) => {
        const row = await load(trx, contextId, folderId, id);
        checkUnmodified(row, options);
        const data = applyContactChanges(dataOf(toContact(row)), changes);
        // Strictly increasing, so a client's timestamp always tells whether it saw the last write.
        const lastModified = Math.max(Date.now(), Number(row.last_modified) + 1);
        await trx.updateTable('contacts_entries')
          .set({ ...keyColumns(data), data: JSON.stringify(data), last_modified: lastModified })
          .where('context_id', '=', contextId).where('id', '=', row.id)
          .execute();
        await writeEmails(trx, contextId, row.id, data.emails);
        return { ...data, id: String(row.id), folderId: String(folderId), lastModified, createdAt: Number(row.created_at) };
      });
    },
    async delete(contextId, folderId, id, options) {
      await transaction(async (trx) => {
        const row = await load(trx, contextId, folderId, id);
        checkUnmodified(row, options);
        await trx.deleteFrom('contacts_emails').where('context_id', '=', contextId).where('contact_id', '=', row.id).execute();
        await trx.deleteFrom('contacts_entries').where('context_id', '=', contextId).where('id', '=', row.id).execute();
      });
    },
  };
}
