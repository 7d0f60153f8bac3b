// Tables of the push bundle, for SQLite and MySQL/MariaDB, with the original names:
// `registeredPush` (permanent listener registrations) and `credentials` (credential storage with
// com.openexchange.push.credstorage.rdb=true; only the password column is encrypted).
import { sql, type Kysely } from 'kysely';
import type { Migration, SqlDialect } from '@keel/plugin-sdk';

export const MAX_CLIENT_LENGTH = 64;
export const MAX_LOGIN_LENGTH = 255;

function tableOptions(dialect: SqlDialect) {
  return dialect === 'mysql' ? sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin` : sql``;
}

async function createRegisteredPush(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('registeredPush')
    .addColumn('cid', 'integer', (column) => column.notNull())
    .addColumn('user', 'integer', (column) => column.notNull())
    .addColumn('client', `varchar(${MAX_CLIENT_LENGTH})`, (column) => column.notNull())
    .addPrimaryKeyConstraint('registeredPush_pk', ['cid', 'user', 'client'])
    .modifyEnd(tableOptions(dialect))
    .execute();
}

async function createCredentials(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('credentials')
    .addColumn('cid', 'integer', (column) => column.notNull())
    .addColumn('user', 'integer', (column) => column.notNull())
    .addColumn('password', 'text', (column) => column.notNull())
    .addColumn('login', `varchar(${MAX_LOGIN_LENGTH})`, (column) => column.notNull())
    .addPrimaryKeyConstraint('credentials_pk', ['cid', 'user'])
    .modifyEnd(tableOptions(dialect))
    .execute();
}

export const pushMigrations: readonly Migration[] = [
  { id: '001-create-registered-push', up: createRegisteredPush },
  { id: '002-create-credentials', up: createCredentials },
];
