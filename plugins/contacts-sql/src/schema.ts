// The tables of contacts-sql, created through database.migrate on SQLite and MySQL/MariaDB alike.
import type { Migration, SqlDialect } from '@keel/plugin-sdk';
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';

export interface ContactTables {
  /** Per-context counters for folder and contact ids; the row is locked while an id is taken. */
  contacts_sequences: { context_id: number; name: string; value: number };
  /** Personal folders. `default_of` is the owner for the default folder (unique), else null. */
  contacts_folders: {
    context_id: number; id: number; owner_id: number; name: string; default_of: number | null; created_at: number; last_modified: number;
  };
  /**
   * One row per contact: the full ContactData as JSON in `data`, plus lower-cased `*_key` columns
   * for sorting and prefix search (both dialects then compare the same way).
   */
  contacts_entries: {
    context_id: number; id: number; folder_id: number;
    display_key: string; given_key: string; surname_key: string; company_key: string; email_key: string;
    data: string; created_at: number; last_modified: number;
  };
  /** Every mail address of a contact, lower-cased, for search. */
  contacts_emails: { context_id: number; contact_id: number; position: number; address_key: string };
}

export type ContactsDb = Kysely<ContactTables>;
export type ContactsTrx = Transaction<ContactTables>;

/** MySQL: utf8mb4 with a binary collation so comparisons are exact as in SQLite (keys are lower-cased by us). */
function tableOptions(dialect: SqlDialect): RawBuilder<unknown> {
  return dialect === 'mysql' ? sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin` : sql``;
}

export const contactMigrations: readonly Migration[] = [
  {
    id: '001-contacts',
    async up(db, dialect) {
      const options = tableOptions(dialect);
      await db.schema.createTable('contacts_sequences')
        .addColumn('context_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'varchar(32)', (c) => c.notNull())
        .addColumn('value', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('contacts_sequences_pk', ['context_id', 'name'])
        .modifyEnd(options).execute();

      await db.schema.createTable('contacts_folders')
        .addColumn('context_id', 'integer', (c) => c.notNull())
        .addColumn('id', 'integer', (c) => c.notNull())
        .addColumn('owner_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('default_of', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_modified', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('contacts_folders_pk', ['context_id', 'id'])
        .addUniqueConstraint('contacts_folders_default', ['context_id', 'default_of'])
        .modifyEnd(options).execute();
      await db.schema.createIndex('contacts_folders_owner').on('contacts_folders').columns(['context_id', 'owner_id']).execute();

      await db.schema.createTable('contacts_entries')
        .addColumn('context_id', 'integer', (c) => c.notNull())
        .addColumn('id', 'integer', (c) => c.notNull())
        .addColumn('folder_id', 'integer', (c) => c.notNull())
        .addColumn('display_key', 'varchar(255)', (c) => c.notNull())
        .addColumn('given_key', 'varchar(255)', (c) => c.notNull())
        .addColumn('surname_key', 'varchar(255)', (c) => c.notNull())
        .addColumn('company_key', 'varchar(255)', (c) => c.notNull())
        .addColumn('email_key', 'varchar(255)', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_modified', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('contacts_entries_pk', ['context_id', 'id'])
        .modifyEnd(options).execute();
      await db.schema.createIndex('contacts_entries_folder').on('contacts_entries').columns(['context_id', 'folder_id', 'display_key']).execute();

      await db.schema.createTable('contacts_emails')
        .addColumn('context_id', 'integer', (c) => c.notNull())
        .addColumn('contact_id', 'integer', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('address_key', 'varchar(255)', (c) => c.notNull())
        .addPrimaryKeyConstraint('contacts_emails_pk', ['context_id', 'contact_id', 'position'])
        .modifyEnd(options).execute();
      await db.schema.createIndex('contacts_emails_address').on('contacts_emails').columns(['context_id', 'address_key']).execute();
    },
  },
];
