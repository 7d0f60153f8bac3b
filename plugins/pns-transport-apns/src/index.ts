import { briefErrorMessage, defineBundle, loadClientOptions, pushTransportRef, subscriptionStoreRef, type ConfigService, type Logger } from '@keel/plugin-sdk';
import { createApnsClient, type ApnsClient } from './apns-clients.js';
import { APNS_OPTIONS_FILE, parseApnsOptions } from './apns-options.js';
import { readApnsSettings, type ApnsSettings } from './apns-settings.js';
import { createApnsTransport } from './apns-transport.js';

/**
 * Transport `apn`: Apple Push Notification service for the clients of pns-apns-options.yml, switched
 * per user, context, client and topic by `com.openexchange.pns.transport.apn.ios.enabled` (default off).
 * Delivers nothing until a client is configured and the switch is on.
 */
export default defineBundle({
  provides: [pushTransportRef],
  optional: { subscriptions: subscriptionStoreRef },
  start({ services, register, config, cascade, logger }) {
    let settings = readApnsSettings(config);
    const transport = createApnsTransport({
      settings,
      clients: loadClients(config, settings, logger),
      cascade,
      store: () => services.subscriptions.get(),
      logger,
    });
    register(pushTransportRef, transport, { properties: { transport: transport.id } });
    const unsubscribe = config.onReload(async () => {
      let next: ApnsSettings;
      try {
        next = readApnsSettings(config);
      } catch (error) {
        logger.error({ err: error }, 'APNs settings are invalid after the reload; keeping the previous ones');
        next = settings;
      }
      await transport.reconfigure(next, loadClients(config, next, logger));
      settings = next;
    });
    return async () => {
      unsubscribe();
      await transport.close();
    };
  },
});

/** Opens what each configured client needs; a broken client is logged and left out. */
function loadClients(config: ConfigService, settings: ApnsSettings, logger: Logger): Map<string, ApnsClient> {
  const options = loadClientOptions(config, logger, { file: APNS_OPTIONS_FILE, vendor: 'APNs', parse: (raw) => parseApnsOptions(raw, config.directory) });
  const onSessionError = (client: string, error: Error): void => {
    logger.warn({ client, detail: briefErrorMessage(error) }, 'APNs connection failed; the next push opens a new one');
  };
  return new Map([...options].map(([id, client]) => [id, createApnsClient(client, settings, onSessionError)] as const));
}
