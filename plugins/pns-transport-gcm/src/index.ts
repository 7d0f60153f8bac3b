import { defineBundle, loadClientOptions, pushTransportRef, subscriptionStoreRef, type ConfigService, type Logger } from '@keel/plugin-sdk';
import { GCM_OPTIONS_FILE, parseGcmOptions, type GcmClientOptions } from './gcm-options.js';
import { readGcmSettings } from './gcm-settings.js';
import { createGcmTransport } from './gcm-transport.js';

/**
 * Transport `gcm`: Firebase Cloud Messaging for the clients of pns-gcm-options.yml, switched per
 * user, context, client and topic by `com.openexchange.pns.transport.gcm.enabled` (default off).
 * Delivers nothing until a client is configured and the switch is on.
 */
export default defineBundle({
  provides: [pushTransportRef],
  optional: { subscriptions: subscriptionStoreRef },
  start({ services, register, config, cascade, logger }) {
    let settings = readGcmSettings(config);
    const transport = createGcmTransport({
      settings,
      clients: loadClients(config, logger),
      cascade,
      store: () => services.subscriptions.get(),
      logger,
    });
    register(pushTransportRef, transport, { properties: { transport: transport.id } });
    const unsubscribe = config.onReload(() => {
      try {
        settings = readGcmSettings(config);
      } catch (error) {
        logger.error({ err: error }, 'FCM settings are invalid after the reload; keeping the previous ones');
      }
      transport.reconfigure(settings, loadClients(config, logger));
    });
    return () => {
      unsubscribe();
      transport.close();
    };
  },
});

/** The clients of the option file; a broken client is logged and left out. */
function loadClients(config: ConfigService, logger: Logger): Map<string, GcmClientOptions> {
  return loadClientOptions(config, logger, {
    file: GCM_OPTIONS_FILE,
    vendor: 'FCM',
    parse: (raw) => parseGcmOptions(raw, config.directory),
    describe: (client) => client.api,
  });
}
