import { defineBundle, restAuthRef } from '@keel/plugin-sdk';
import { createRestAuth } from './basic-auth.js';
import { readRestSettings, type RestSettings } from './rest-settings.js';

/**
 * HTTP Basic authentication for REST endpoints that other servers call (push-dovecot's notify
 * endpoint). Without configured credentials every call is refused with 403, and that is logged as
 * an error at start and after each reload, because the callers (Dovecot) will not say so themselves.
 */
export default defineBundle({
  provides: [restAuthRef],
  start({ config, logger, register }) {
    let settings: RestSettings = readRestSettings(config);
    const report = () => {
      if (settings.missing.length > 0) {
        logger.error({ missing: settings.missing }, `REST endpoints answer 403 to every call: ${settings.missing.join(' and ')} not configured`);
      }
    };
    report();
    const stopReload = config.onReload(() => {
      settings = readRestSettings(config);
      report();
    });
    register(restAuthRef, createRestAuth(() => settings));
    return stopReload;
  },
});
