import { authenticationServiceRef, authenticatorRef, contextServiceRef, createFailureTracker, defineBundle, userServiceRef } from '@keel/plugin-sdk';
import { readAuthSettings } from './auth-settings.js';
import { createAuthenticationService } from './authentication-service.js';

export default defineBundle({
  provides: [authenticationServiceRef],
  requires: { authenticators: authenticatorRef, contexts: contextServiceRef, users: userServiceRef },
  start({ services, config, logger, register, scheduler }) {
    let settings = readAuthSettings(config);
    const failuresPerLogin = createFailureTracker(() => settings.perLogin);
    const failuresPerAddress = createFailureTracker(() => settings.perAddress);
    scheduler.every(60_000, () => {
      failuresPerLogin.sweep();
      failuresPerAddress.sweep();
    }, { name: 'auth-failure-sweep' });
    const stopReload = config.onReload(() => {
      settings = readAuthSettings(config);
    });

    register(authenticationServiceRef, createAuthenticationService({
      authenticators: () => services.authenticators.all(),
      contexts: services.contexts,
      users: services.users,
      settings: () => settings,
      failuresPerLogin,
      failuresPerAddress,
      logger,
    }));
    return stopReload;
  },
});
