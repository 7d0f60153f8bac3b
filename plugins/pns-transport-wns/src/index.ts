import { defineBundle, loadClientOptions, pushTransportRef, subscriptionStoreRef, type ConfigService, type Logger } from '@keel/plugin-sdk';
import { parseWnsOptions, WNS_OPTIONS_FILE, type WnsClientOptions } from './wns-options.js';
import { readWnsSettings } from './wns-settings.js';
import { createWnsTransport } from './wns-transport.js';

/**
 * Transport `wns`: Windows Push Notification Services for the clients of pns-wns-options.yml,
 * switched per user, context, client and topic by `com.openexchange.pns.transport.wns.enabled`
 * (default off). Delivers nothing until a client is configured and the switch is on.
 */
export default defineBundle({
  provides: [pushTransportRef],
  optional: { subscriptions: subscriptionStoreRef },
  start({ services, register, config, cascade, logger }) {
    let settings = readWnsSettings(config);
    const transport = createWnsTransport({
      settings,
      clients: loadClients(config, logger),
      cascade,
      store: () => services.subscriptions.get(),
      logger,
    });
    register(pushTransportRef, transport, { properties: { transport: transport.id } });
    const unsubscribe = config.onReload(() => {
      try {
        settings = readWnsSettings(config);
      } catch (error) {
        logger.error({ err: error }, 'WNS settings are invalid after the reload; keeping the previous ones');
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
function loadClients(config: ConfigService, logger: Logger): Map<string, WnsClientOptions> {
  return loadClientOptions(config, logger, {
    file: WNS_OPTIONS_FILE,
    vendor: 'WNS',
    parse: (raw) => parseWnsOptions(raw),
  });
}
