// appintegration-server: Keel as a MailStore Application Integration server (cmd=list, cmd=auth).
import { authenticationServiceRef, contextServiceRef, defineBundle, userServiceRef } from '@keel/plugin-sdk';
import { readEndpointSettings } from './endpoint-settings.js';
import { createIntegrationHandler } from './integration-endpoint.js';
import { ACCOUNTS_FILE, createAccountDirectory, parseAccounts, type AccountDirectory } from './integration-accounts.js';

export default defineBundle({
  requires: { authentication: authenticationServiceRef, users: userServiceRef, contexts: contextServiceRef },
  start({ services, config, http, logger }) {
    let settings = readEndpointSettings(config);
    const load = (): AccountDirectory => createAccountDirectory(parseAccounts(config.yaml(ACCOUNTS_FILE)));
    // A broken file at start fails the start loudly; on reload the previous accounts stay in force.
    let accounts = load();
    const path = settings.path;
    const stopReload = config.onReload(() => {
      try {
        const reread = readEndpointSettings(config);
        if (reread.path !== path) logger.warn({ path, configured: reread.path }, 'keel.appintegration.path changed: it takes effect when the bundle restarts');
        accounts = load();
        settings = { ...reread, path };
        logger.info({ accounts: accounts.size }, `${ACCOUNTS_FILE} reloaded`);
      } catch (error) {
        logger.error({ err: { message: (error as Error).message } }, `Application Integration settings not reloaded, the previous ones stay in force: ${(error as Error).message}`);
      }
    });

    const handler = createIntegrationHandler({
      accounts: () => accounts,
      settings: () => settings,
      authentication: services.authentication,
      users: services.users,
      contexts: services.contexts,
      logger,
    });
    // Every method is routed here so that a wrong one gets this endpoint's JSON 405, not a generic one.
    // The route table ignores trailing slashes: `/mailstore-integration` and `/mailstore-integration/` both match.
    http.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], path, handler, bodyLimit: 64 * 1024 });
    // The seed's sample URL (PHP servers): `<path>index.php`.
    http.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], path: `${path}index.php`, handler, bodyLimit: 64 * 1024 });
    logger.info({ path, accounts: accounts.size }, `Application Integration endpoint on ${path}`);
    return stopReload;
  },
});
