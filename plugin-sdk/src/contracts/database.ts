import type { Kysely, Transaction } from 'kysely';
import { createServiceRef } from '../service-ref.js';

export type SqlDialect = 'mysql' | 'sqlite';

/** One schema change, identified by a stable id; `up` must be written for both dialects. */
export interface Migration {
  /** Stable, sortable id such as `001-create-subscriptions`. Applied in id order, once. */
  id: string;
  up(db: Kysely<any>, dialect: SqlDialect): Promise<void>;
}

/**
 * The shared SQL database (storage-sql): MySQL/MariaDB through mysql2 or embedded SQLite, behind
 * one Kysely query builder. Bundles own their tables and bring their migrations at start.
 */
export interface Database {
  readonly dialect: SqlDialect;
  /** The query builder. Use `sql` from kysely for dialect-specific bits, and `dialect` to branch. */
  readonly db: Kysely<any>;
  /** Runs `work` in one transaction: everything or nothing. */
  transaction<T>(work: (trx: Transaction<any>) => Promise<T>): Promise<T>;
  /**
   * Applies `owner`'s migrations that were not applied yet, in id order, under a database-wide
   * lock (safe when several nodes start at once); idempotent. Call it from your bundle's start.
   */
  migrate(owner: string, migrations: readonly Migration[]): Promise<{ applied: string[] }>;
  /** Pool figures for metrics (SQLite: size 1). */
  poolStats(): { size: number; inUse: number; waiting: number };
  /** The configured URL with the password masked, for messages. */
  readonly displayUrl: string;
}

export const databaseRef = createServiceRef<Database>({ id: 'storage.database', version: '1.0.0' });
