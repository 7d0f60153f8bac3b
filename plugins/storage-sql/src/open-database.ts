// Opens the configured database (mysql2 pool or better-sqlite3) behind one Kysely instance.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, MysqlDialect, sql, type Transaction } from 'kysely';
import { createPool, type Pool } from 'mysql2';
import type { Database, Migration, SqlDialect } from '@keel/plugin-sdk';
import { parseDatabaseUrl } from './database-url.js';
import { databaseUnreachable } from './errors.js';
import { migrate } from './migrations.js';
import { ImmediateSqliteDialect, type SqliteUsage } from './sqlite-dialect.js';

export interface OpenDatabaseOptions {
  /** `mysql://user:pass@host:port/db` or `sqlite:<path>`. */
  url: string;
  /** Relative SQLite paths are resolved against it (and it is created when missing). */
  dataDirectory: string;
  /** MySQL pool size (default 10). */
  maxConnections?: number;
  /** MySQL connect timeout (default 5000 ms). */
  connectTimeoutMs?: number;
  /** SQLite busy timeout (default 5000 ms). */
  busyTimeoutMs?: number;
}

/** The contract plus what only the owning bundle may do. */
export interface OpenedDatabase extends Database {
  close(): Promise<void>;
}

/** Opens and checks the database; throws DB-0001 (URL with the password masked) when it cannot be reached. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const target = parseDatabaseUrl(options.url, options.dataDirectory);
  return target.dialect === 'sqlite'
    ? openSqlite(target.path, target.displayUrl, options.busyTimeoutMs ?? 5000)
    : openMysql(target, options);
}

function openSqlite(path: string, displayUrl: string, busyTimeoutMs: number): OpenedDatabase {
  let connection: BetterSqlite3.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    connection = new BetterSqlite3(path, { timeout: busyTimeoutMs });
  } catch (error) {
    throw databaseUnreachable(displayUrl, errorText(error), error);
  }
  try {
    connection.pragma('journal_mode = WAL');
    // NORMAL is durable in WAL mode except on power loss, and saves an fsync per commit.
    connection.pragma('synchronous = NORMAL');
  } catch (error) {
    connection.close();
    throw databaseUnreachable(displayUrl, errorText(error), error);
  }
  const usage: SqliteUsage = { inUse: 0, waiting: 0 };
  const db = new Kysely<any>({ dialect: new ImmediateSqliteDialect({ database: connection }, usage) });
  return assemble(db, 'sqlite', displayUrl, 'keel_migrations', busyTimeoutMs, () => ({ size: 1, inUse: usage.inUse, waiting: usage.waiting }));
}

async function openMysql(
  target: { host: string; port: number; user: string; password: string; database: string; displayUrl: string },
  options: OpenDatabaseOptions,
): Promise<OpenedDatabase> {
  const pool = createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionLimit: options.maxConnections ?? 10,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    timezone: 'Z',
    supportBigNumbers: true,
  });
  const db = new Kysely<any>({ dialect: new MysqlDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw databaseUnreachable(target.displayUrl, errorText(error), error);
  }
  // GET_LOCK names are server-wide (64 characters at most): the database name keeps nodes of other databases apart.
  const lockName = `keel_migrations:${target.database}`.slice(0, 64);
  return assemble(db, 'mysql', target.displayUrl, lockName, 0, () => mysqlPoolStats(pool));
}

function assemble(
  db: Kysely<any>,
  dialect: SqlDialect,
  displayUrl: string,
  lockName: string,
  busyTimeoutMs: number,
  stats: () => { size: number; inUse: number; waiting: number },
): OpenedDatabase {
  let closed = false;
  return {
    dialect,
    db,
    displayUrl,
    transaction<T>(work: (trx: Transaction<any>) => Promise<T>): Promise<T> {
      return db.transaction().execute(work);
    },
    migrate(owner: string, migrations: readonly Migration[]) {
      return migrate({ db, dialect, displayUrl, lockName, busyTimeoutMs }, owner, migrations);
    },
    poolStats: stats,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

/** mysql2 keeps its pool figures in private queues; read them defensively. */
function mysqlPoolStats(pool: Pool): { size: number; inUse: number; waiting: number } {
  const internals = pool as unknown as { _allConnections?: { length: number }; _freeConnections?: { length: number }; _connectionQueue?: { length: number } };
  const size = internals._allConnections?.length ?? 0;
  const free = internals._freeConnections?.length ?? 0;
  return { size, inUse: Math.max(0, size - free), waiting: internals._connectionQueue?.length ?? 0 };
}

function errorText(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return errorText(error.errors[0]);
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const message = error.message === '' && typeof code === 'string' ? code : error.message;
    return message;
  }
  return String(error);
}
