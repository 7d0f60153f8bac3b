// contacts-sql: the default contact storage (ranking 0) — personal folders and the global address book.
import { contactStorageRef, databaseRef, defineBundle, userDeletedHook, userServiceRef } from '@keel/plugin-sdk';
import { contactMigrations } from './schema.js';
import { createSqlContactStorage } from './sql-contact-storage.js';

/** Ranking 0: any storage that serves a folder with a higher ranking (contacts-ldap: 100) takes it over. */
export const SQL_STORAGE_RANKING = 0;

export default defineBundle({
  provides: [contactStorageRef],
  requires: { database: databaseRef, users: userServiceRef },
  async start({ services, register, hooks, logger }) {
    const { applied } = await services.database.migrate('contacts-sql', contactMigrations);
    if (applied.length > 0) logger.info({ applied }, 'migrated the contact tables');
    const storage = createSqlContactStorage({ database: services.database, users: () => services.users });
    hooks.get(userDeletedHook).tapPromise('contacts-sql', async ({ contextId, userId }) => {
      await storage.personalFolders.removeOwner(contextId, userId);
    });
    register(contactStorageRef, storage, { ranking: SQL_STORAGE_RANKING, properties: { storage: 'sql' } });
  },
});
