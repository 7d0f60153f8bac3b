// The directory's tables (owned by storage-sql, migrated like every bundle's) and their row types.
import type { Migration } from '@keel/plugin-sdk';
import type { Kysely, Transaction } from 'kysely';
import { tableOptions } from './table-options.js';

export interface DirectoryTables {
  /** Rows updated first in a transaction to serialize writers (e.g. allocating a context id). */
  keel_sequences: { name: string; value: number };
  keel_contexts: { id: number; name: string; enabled: number; user_seq: number };
  /** Login mappings, lower-cased: one mapping belongs to one context. */
  keel_context_mappings: { mapping: string; context_id: number };
  keel_context_attributes: { context_id: number; name: string; value: string };
  /** `login_key` is the lower-cased login: logins are unique per context regardless of case. */
  keel_users: {
    context_id: number;
    id: number;
    login: string;
    login_key: string;
    display_name: string;
    email: string;
    enabled: number;
    password_hash: string | null;
    source: string;
    external_dn: string | null;
  };
  /** Primary address and aliases; `address_key` (lower-cased) is unique per context. */
  keel_user_addresses: { context_id: number; address_key: string; address: string; user_id: number; kind: 'primary' | 'alias'; position: number };
  keel_user_attributes: { context_id: number; user_id: number; name: string; value: string };
}

export type DirectoryDb = Kysely<DirectoryTables>;
export type DirectoryTrx = Transaction<DirectoryTables>;

/** The sequence row that serializes context creation. */
export const CONTEXT_SEQUENCE = 'contexts';

export const directoryMigrations: readonly Migration[] = [
  {
    id: '001-directory',
    async up(db, dialect) {
      const options = tableOptions(dialect);
      await db.schema.createTable('keel_sequences')
        .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('value', 'integer', (c) => c.notNull())
        .modifyEnd(options).execute();
      await db.insertInto('keel_sequences').values({ name: CONTEXT_SEQUENCE, value: 0 }).execute();

      await db.schema.createTable('keel_contexts')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('user_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .modifyEnd(options).execute();

      await db.schema.createTable('keel_context_mappings')
        .addColumn('mapping', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('context_id', 'integer', (c) => c.notNull())
        .modifyEnd(options).execute();
      await db.schema.createIndex('keel_context_mappings_context').on('keel_context_mappings').column('context_id').execute();

      await db.schema.createTable('keel_context_attributes')
        .addColumn('context_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('keel_context_attributes_pk', ['context_id', 'name'])
        .modifyEnd(options).execute();

      await db.schema.createTable('keel_users')
        .addColumn('context_id', 'integer', (c) => c.notNull())
        .addColumn('id', 'integer', (c) => c.notNull())
        .addColumn('login', 'varchar(255)', (c) => c.notNull())
        .addColumn('login_key', 'varchar(255)', (c) => c.notNull())
        .addColumn('display_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('email', 'varchar(255)', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('password_hash', 'varchar(255)')
        .addColumn('source', 'varchar(32)', (c) => c.notNull())
        .addColumn('external_dn', 'varchar(1024)')
        .addPrimaryKeyConstraint('keel_users_pk', ['context_id', 'id'])
        .addUniqueConstraint('keel_users_login', ['context_id', 'login_key'])
        .modifyEnd(options).execute();

      await db.schema.createTable('keel_user_addresses')
        .addColumn('context_id', 'integer', (c) => c.notNull())
        .addColumn('address_key', 'varchar(255)', (c) => c.notNull())
        .addColumn('address', 'varchar(255)', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('kind', 'varchar(8)', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('keel_user_addresses_pk', ['context_id', 'address_key'])
        .modifyEnd(options).execute();
      await db.schema.createIndex('keel_user_addresses_user').on('keel_user_addresses').columns(['context_id', 'user_id']).execute();

      await db.schema.createTable('keel_user_attributes')
        .addColumn('context_id', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('keel_user_attributes_pk', ['context_id', 'user_id', 'name'])
        .modifyEnd(options).execute();
    },
  },
];
