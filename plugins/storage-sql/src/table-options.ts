// Table options that make both dialects compare strings the same way.
import type { SqlDialect } from '@keel/plugin-sdk';
import { sql, type RawBuilder } from 'kysely';

/**
 * MySQL tables get utf8mb4 with a binary collation: comparisons are then exact, as in SQLite, and
 * the directory folds case itself in its `*_key` columns. SQLite needs nothing.
 */
export function tableOptions(dialect: SqlDialect): RawBuilder<unknown> {
  return dialect === 'mysql' ? sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin` : sql``;
}
