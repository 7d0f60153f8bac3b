import { adminAuthRef, createFailureTracker, defineBundle } from '@keel/plugin-sdk';
import { createAdminAuth } from './admin-auth.js';
import { readAdminSettings } from './admin-settings.js';
import { loadMasterCredential, type MasterCredential } from './master-credential.js';
import { registerKernelRoutes } from './kernel-routes.js';

export default defineBundle({
  provides: [adminAuthRef],
  async start({ bundle, config, logger, http, kernel, register, scheduler }) {
    let settings = readAdminSettings(config);
    const load = () => loadMasterCredential({
      login: settings.login, configDir: config.directory, dataDir: config.dataDirectory, env: process.env, logger,
    });
    let credential: MasterCredential = await load();
    logger.info({ login: credential.login, source: credential.source }, 'master admin credentials loaded');

    const failures = createFailureTracker(() => settings.failures);
    const auth = createAdminAuth({ credential: () => credential, failures, logger });
    scheduler.every(60_000, () => failures.sweep(), { name: 'admin-failure-sweep' });

    const stopReload = config.onReload(async () => {
      settings = readAdminSettings(config);
      credential = await load();
      auth.forget();
      logger.info({ login: credential.login, source: credential.source }, 'master admin credentials reloaded');
    });

    register(adminAuthRef, auth);
    registerKernelRoutes({ http, auth, kernel, self: bundle.name });
    return stopReload;
  },
});
