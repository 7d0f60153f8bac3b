// Applies each bundle's migrations once, in id order, under a database-wide lock.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Migration, SqlDialect } from '@keel/plugin-sdk';
import { sql, type Kysely } from 'kysely';
import { invalidMigrations, migrationFailed, migrationLockTimeout } from './errors.js';
import { tableOptions } from './table-options.js';

const LOCK_SECONDS = 60;
const MAX_OWNER = 100;
const MAX_ID = 190;

export interface MigrationTarget {
  readonly db: Kysely<any>;
  readonly dialect: SqlDialect;
  readonly displayUrl: string;
  /** MySQL: the GET_LOCK name (server-wide, so it names the database). */
  readonly lockName: string;
  /** SQLite: the connection's busy timeout, restored after the lock was taken. */
  readonly busyTimeoutMs: number;
}

export async function migrate(target: MigrationTarget, owner: string, migrations: readonly Migration[]): Promise<{ applied: string[] }> {
  const ordered = checkMigrations(owner, migrations);
  return target.db.connection().execute((connection) =>
    target.dialect === 'mysql' ? underMysqlLock(target, connection, owner, ordered) : underSqliteLock(target, connection, owner, ordered));
}

function checkMigrations(owner: string, migrations: readonly Migration[]): Migration[] {
  if (typeof owner !== 'string' || owner === '' || owner.length > MAX_OWNER) {
    throw invalidMigrations(String(owner), `the owner must be a non-empty name of at most ${MAX_OWNER} characters`);
  }
  const seen = new Set<string>();
  for (const migration of migrations) {
    if (typeof migration.id !== 'string' || migration.id === '' || migration.id.length > MAX_ID) {
      throw invalidMigrations(owner, `every migration needs an id of 1 to ${MAX_ID} characters (got '${String(migration.id)}')`);
    }
    if (seen.has(migration.id)) throw invalidMigrations(owner, `the id '${migration.id}' is used twice`);
    if (typeof migration.up !== 'function') throw invalidMigrations(owner, `migration '${migration.id}' has no up()`);
    seen.add(migration.id);
  }
  // Code-unit order, not locale order: ids like 001-…, 002-… must sort the same everywhere.
  return [...migrations].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** MySQL DDL commits implicitly, so each migration is recorded right after it ran. */
async function underMysqlLock(target: MigrationTarget, connection: Kysely<any>, owner: string, ordered: Migration[]): Promise<{ applied: string[] }> {
  const { rows } = await sql<{ locked: number | string | null }>`select get_lock(${target.lockName}, ${LOCK_SECONDS}) as locked`.execute(connection);
  if (Number(rows[0]?.locked) !== 1) throw migrationLockTimeout(target.displayUrl, LOCK_SECONDS);
  try {
    return await applyPending(connection, 'mysql', owner, ordered);
  } finally {
    await sql`select release_lock(${target.lockName})`.execute(connection);
  }
}

/**
 * SQLite: one `BEGIN IMMEDIATE` transaction holds the write lock for all of an owner's pending
 * migrations (DDL is transactional there, so a failure leaves nothing). The lock is polled with a
 * zero busy timeout because better-sqlite3 waits synchronously: a blocking wait would freeze the
 * event loop, and with it another connection in this process that holds the lock.
 */
async function underSqliteLock(target: MigrationTarget, connection: Kysely<any>, owner: string, ordered: Migration[]): Promise<{ applied: string[] }> {
  await sql.raw('pragma busy_timeout = 0').execute(connection);
  try {
    const deadline = Date.now() + LOCK_SECONDS * 1000;
    for (let pause = 10; ; pause = Math.min(pause * 2, 250)) {
      try {
        await sql.raw('begin immediate').execute(connection);
        break;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
        if (Date.now() > deadline) throw migrationLockTimeout(target.displayUrl, LOCK_SECONDS);
        await sleep(pause);
      }
    }
  } finally {
    await sql.raw(`pragma busy_timeout = ${Math.trunc(target.busyTimeoutMs)}`).execute(connection);
  }
  try {
    const result = await applyPending(connection, 'sqlite', owner, ordered);
    await sql.raw('commit').execute(connection);
    return result;
  } catch (error) {
    await sql.raw('rollback').execute(connection).catch(() => undefined);
    throw error;
  }
}

async function applyPending(connection: Kysely<any>, dialect: SqlDialect, owner: string, ordered: Migration[]): Promise<{ applied: string[] }> {
  await connection.schema
    .createTable('keel_migrations')
    .ifNotExists()
    .addColumn('owner', 'varchar(100)', (column) => column.notNull())
    .addColumn('id', 'varchar(190)', (column) => column.notNull())
    .addColumn('applied_at', 'varchar(32)', (column) => column.notNull())
    .addPrimaryKeyConstraint('keel_migrations_pk', ['owner', 'id'])
    .modifyEnd(tableOptions(dialect))
    .execute();
  const done = new Set(
    (await connection.selectFrom('keel_migrations').select('id').where('owner', '=', owner).execute()).map((row: { id: string }) => row.id),
  );
  const applied: string[] = [];
  for (const migration of ordered) {
    if (done.has(migration.id)) continue;
    try {
      await migration.up(connection, dialect);
    } catch (error) {
      throw migrationFailed(owner, migration.id, error);
    }
    await connection.insertInto('keel_migrations').values({ owner, id: migration.id, applied_at: new Date().toISOString() }).execute();
    applied.push(migration.id);
  }
  return { applied };
}
