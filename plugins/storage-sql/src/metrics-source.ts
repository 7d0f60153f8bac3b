// storage-sql's figures for the metrics bundle: the connection pool, read from the pool's own state.
import { metricFamily, type Database, type MetricsSource } from '@keel/plugin-sdk';

export function createDatabaseMetricsSource(database: Pick<Database, 'poolStats'>, connectionLimit: number): MetricsSource {
  return {
    name: 'storage-sql',
    collect() {
      const { size, inUse } = database.poolStats();
      return [
        metricFamily({ name: 'keel_db_pool_connections', help: 'Database connections held by the pool: used (checked out) or idle.', type: 'gauge', labelNames: ['state'] }, { used: inUse, idle: Math.max(0, size - inUse) }),
        metricFamily({ name: 'keel_db_pool_limit', help: 'Configured maximum of database connections (1 for embedded SQLite).', type: 'gauge' }, connectionLimit),
      ];
    },
  };
}
