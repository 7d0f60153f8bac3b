import { adminAuthRef, contextServiceRef, createFailureTracker, defineBundle, metricsSourceRef, userServiceRef } from '@keel/plugin-sdk';
import { createAdminAuth } from './admin-auth.js';
import { readAdminSettings } from './admin-settings.js';
import { CONSOLE_PATH, loadConsoleFiles, registerConsoleRoutes } from './console-files.js';
import { registerInspectionRoutes } from './inspection-routes.js';
import { loadMasterCredential, type MasterCredential } from './master-credential.js';
import { registerKernelRoutes } from './kernel-routes.js';

export default defineBundle({
  provides: [adminAuthRef],
  // Optional: bundles come and go with their figures, and the directory only tells the config
  // inspector whether a context or user exists; the admin API must run without any of them.
  optional: { metrics: metricsSourceRef, contexts: contextServiceRef, users: userServiceRef },
  async start({ bundle, config, cascade, logger, http, kernel, register, scheduler, services }) {
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
    registerInspectionRoutes({ http, auth, metrics: services.metrics, cascade, contexts: services.contexts, users: services.users });
    const consoleFiles = await loadConsoleFiles();
    if (consoleFiles.has('index.html')) registerConsoleRoutes(http, consoleFiles);
    else logger.warn(`admin console not built (no dist/console): ${CONSOLE_PATH}/ is not served; run 'npx tsc -b plugins/admin'`);
    return stopReload;
  },
});
