// storage-sql: the shared SQL database, migrations, the user/context directory and the cascade's user/context scopes.
import { join } from 'node:path';
import {
  configScopeProviderRef, contextServiceRef, databaseRef, defineBundle, healthCheckRef, metricsSourceRef, userServiceRef, type Database,
} from '@keel/plugin-sdk';
import { createConfigScopeProvider } from './config-scope-provider.js';
import { createContextService } from './context-service.js';
import { createDirectoryEvents } from './directory-events.js';
import { directoryMigrations } from './directory-schema.js';
import { createDatabaseHealthCheck } from './health-check.js';
import { createDatabaseMetricsSource } from './metrics-source.js';
import { openDatabase } from './open-database.js';
import { createUserService } from './user-service.js';

export default defineBundle({
  provides: [databaseRef, contextServiceRef, userServiceRef, configScopeProviderRef, healthCheckRef, metricsSourceRef],
  async start({ config, cascade, hooks, logger, register }) {
    const url = config.get('keel.database.url') ?? `sqlite:${join(config.dataDirectory, 'keel.db')}`;
    const maxConnections = config.getNumber('keel.database.maxConnections', 10);
    const opened = await openDatabase({
      url,
      dataDirectory: config.dataDirectory,
      maxConnections,
      connectTimeoutMs: config.getNumber('keel.database.connectTimeout', 5000),
      busyTimeoutMs: config.getNumber('keel.database.busyTimeout', 5000),
    });
    try {
      const { applied } = await opened.migrate('storage-sql', directoryMigrations);
      if (applied.length > 0) logger.info({ applied }, `migrated the directory tables on ${opened.displayUrl}`);
    } catch (error) {
      await opened.close();
      throw error;
    }
    logger.info({ dialect: opened.dialect }, `database ${opened.displayUrl} ready`);

    // Consumers get the contract only: closing is the owner's business.
    const database: Database = {
      dialect: opened.dialect,
      db: opened.db,
      displayUrl: opened.displayUrl,
      transaction: (work) => opened.transaction(work),
      migrate: (owner, migrations) => opened.migrate(owner, migrations),
      poolStats: () => opened.poolStats(),
    };
    const events = createDirectoryEvents(hooks, cascade, logger);
    // Read per call so that `keel reload` counts; blank means unset.
    const defaultContextId = () => ((config.get('keel.login.defaultContext') ?? '').trim() === '' ? undefined : config.getNumber('keel.login.defaultContext', 0));
    register(databaseRef, database);
    register(contextServiceRef, createContextService({ database, events, defaultContextId }));
    register(userServiceRef, createUserService({ database, events }));
    register(configScopeProviderRef, createConfigScopeProvider(database));
    register(healthCheckRef, createDatabaseHealthCheck(database));
    // SQLite is one connection whatever the setting says.
    register(metricsSourceRef, createDatabaseMetricsSource(database, opened.dialect === 'sqlite' ? 1 : maxConnections));
    return () => opened.close();
  },
});
