// Tables of the subscription store, for SQLite and MySQL/MariaDB.
//
// `pns_subscription` holds one row per (cid, user, token, client). Tokens can be long (webhook URIs),
// so the unique key and the token lookups use `token_hash` (SHA-256 hex) instead of the token.
// `pns_subscription_topic` holds the subscription's topics exactly as given (`ox:mail:new`,
// `ox:mail:*`, `*`), with cid and user copied in: `interested()` asks for the notification topic,
// `*` and each of its `prefix:*` wildcards, which an index on (cid, topic, user_id) answers directly.
import { sql, type Kysely } from 'kysely';
import type { Migration, SqlDialect } from '@keel/plugin-sdk';

/** MySQL: utf8mb4 with a binary collation, so tokens and topics compare exactly, as in SQLite. */
function tableOptions(dialect: SqlDialect) {
  return dialect === 'mysql' ? sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin` : sql``;
}

export const MAX_TOKEN_LENGTH = 2048;
export const MAX_CLIENT_LENGTH = 64;
export const MAX_TRANSPORT_LENGTH = 32;
export const MAX_TOPIC_LENGTH = 190;

async function createTables(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('pns_subscription')
    .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
    .addColumn('cid', 'integer', (column) => column.notNull())
    .addColumn('user_id', 'integer', (column) => column.notNull())
    .addColumn('token', `varchar(${MAX_TOKEN_LENGTH})`, (column) => column.notNull())
    .addColumn('token_hash', 'char(64)', (column) => column.notNull())
    .addColumn('client', `varchar(${MAX_CLIENT_LENGTH})`, (column) => column.notNull())
    .addColumn('transport', `varchar(${MAX_TRANSPORT_LENGTH})`, (column) => column.notNull())
    .addColumn('expires', 'bigint')
    .addColumn('meta', 'text')
    .addColumn('created', 'bigint', (column) => column.notNull())
    .addUniqueConstraint('pns_subscription_key', ['cid', 'user_id', 'token_hash', 'client'])
    .modifyEnd(tableOptions(dialect))
    .execute();
  await db.schema.createIndex('pns_subscription_token').on('pns_subscription').columns(['token_hash', 'transport']).execute();
  await db.schema.createIndex('pns_subscription_owner').on('pns_subscription').columns(['cid', 'user_id', 'transport', 'client']).execute();
  await db.schema.createIndex('pns_subscription_expires').on('pns_subscription').column('expires').execute();

  await db.schema
    .createTable('pns_subscription_topic')
    .addColumn('subscription_id', 'integer', (column) => column.notNull())
    .addColumn('cid', 'integer', (column) => column.notNull())
    .addColumn('user_id', 'integer', (column) => column.notNull())
    .addColumn('topic', `varchar(${MAX_TOPIC_LENGTH})`, (column) => column.notNull())
    .addPrimaryKeyConstraint('pns_subscription_topic_pk', ['subscription_id', 'topic'])
    .modifyEnd(tableOptions(dialect))
    .execute();
  await db.schema.createIndex('pns_subscription_topic_lookup').on('pns_subscription_topic').columns(['cid', 'topic', 'user_id']).execute();
}

export const subscriptionMigrations: readonly Migration[] = [
  { id: '001-create-subscriptions', up: createTables },
];
