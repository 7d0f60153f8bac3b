import { credentialStorageRef, defineBundle, mailAccessRef, metricsSourceRef, userServiceRef } from '@keel/plugin-sdk';
import { createConnectionLimit } from './connection-limit.js';
import { createMailAccess } from './mail-access.js';
import { describeServer } from './mail-server-url.js';
import { createMailMetricsSource } from './metrics-source.js';
import { readMailSettings, type MailSettings } from './mail-settings.js';

export default defineBundle({
  provides: [mailAccessRef, metricsSourceRef],
  requires: { users: userServiceRef },
  start({ services, config, logger, register, registry }) {
    let settings: MailSettings = readMailSettings(config);
    const describe = () => ({
      mailServerSource: settings.mailServerSource,
      mailServer: describeServer(settings.mailServer),
      loginSource: settings.loginSource,
      passwordSource: settings.passwordSource,
      maxConnections: settings.maxConnections,
    });
    logger.info(describe(), 'mail server access configured');
    const stopReload = config.onReload(() => {
      try {
        settings = readMailSettings(config);
        logger.info(describe(), 'mail server access reconfigured');
      } catch (error) {
        // Keep serving with the previous settings rather than failing every mail call.
        logger.error({ err: { message: (error as Error).message } }, 'mail settings not reloaded; the previous ones stay in force');
      }
    });
    const limit = createConnectionLimit(() => settings.maxConnections);
    // Tracked, not declared optional: the credential storage's provider (push) starts after the push
    // managers, which need mail access, and an optional ref would order mail-imap after push.
    const credentials = registry.track(credentialStorageRef);
    register(mailAccessRef, createMailAccess({
      settings: () => settings,
      users: services.users,
      credentials: () => credentials.get(),
      limit,
      logger,
    }));
    // A slot is held from before the connect until after the logout: it is the open connection.
    register(metricsSourceRef, createMailMetricsSource(() => limit.inUse));
    return stopReload;
  },
});
