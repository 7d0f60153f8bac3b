// The `database` readiness check: `/health/ready` fails while the database does not answer.
import { sql } from 'kysely';
import type { Database, HealthCheck } from '@keel/plugin-sdk';

export function createDatabaseHealthCheck(database: Pick<Database, 'db' | 'displayUrl'>): HealthCheck {
  return {
    name: 'database',
    async check() {
      try {
        await sql`select 1`.execute(database.db);
        return { healthy: true, detail: database.displayUrl };
      } catch (error) {
        // The URL is already password-masked; the driver's message says what is wrong.
        return { healthy: false, detail: `${database.displayUrl}: ${(error as Error).message}` };
      }
    },
  };
}
