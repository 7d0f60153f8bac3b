// SQLite through better-sqlite3, with transactions that take the write lock up front.
import {
  CompiledQuery, SqliteDialect, SqliteDriver,
  type DatabaseConnection, type Driver, type SqliteDialectConfig,
} from 'kysely';

/** What the pool figures of a single-connection database are made of. */
export interface SqliteUsage {
  inUse: number;
  waiting: number;
}

/**
 * `BEGIN IMMEDIATE` instead of a deferred `BEGIN`: a deferred transaction that reads first and writes
 * later can fail with SQLITE_BUSY when another process wrote in between, and busy_timeout cannot help
 * it. Taking the write lock at the start turns that into an ordinary wait.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #usage: SqliteUsage;

  constructor(config: SqliteDialectConfig, usage: SqliteUsage) {
    super(config);
    this.#usage = usage;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    this.#usage.waiting += 1;
    try {
      const connection = await super.acquireConnection();
      this.#usage.inUse = 1;
      return connection;
    } finally {
      this.#usage.waiting -= 1;
    }
  }

  override async releaseConnection(): Promise<void> {
    this.#usage.inUse = 0;
    await super.releaseConnection();
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #usage: SqliteUsage;

  constructor(config: SqliteDialectConfig, usage: SqliteUsage) {
    super(config);
    this.#config = config;
    this.#usage = usage;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#usage);
  }
}
