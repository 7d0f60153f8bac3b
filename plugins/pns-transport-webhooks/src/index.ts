import { defineBundle, metricsSourceRef, pushTransportRef, subscriptionStoreRef, userServiceRef } from '@keel/plugin-sdk';
import { createWebhookMetricsSource } from './metrics-source.js';
import { readTransportSettings } from './transport-settings.js';
import { parseWebhooks, type WebhookConfig } from './webhook-config.js';
import { createWebhookHttpClient, type WebhookHttpClient } from './webhook-http-client.js';
import { createWebhookTransport } from './webhook-transport.js';

export { WEBHOOK_PROPERTY } from './transport-settings.js';
export { oxSignature, standardSignature, webhookBody } from './webhook-request.js';
export { createWebhookHttpClient } from './webhook-http-client.js';
export { measureWebhookDeliveries, type WebhookBenchmarkResult } from './delivery-benchmark.js';

export default defineBundle({
  provides: [pushTransportRef, metricsSourceRef],
  // The directory gives `email1`; pns-impl's store is looked up when needed (not a dependency:
  // pns-impl tracks transports, so transports start first and stop last, after its final drain).
  optional: { users: userServiceRef },
  async start({ services, register, config, cascade, logger, registry }) {
    let settings = readTransportSettings(config);
    let webhooks: Map<string, WebhookConfig> = parseWebhooks(config.yaml('webhooks.yml'), logger);
    let client: WebhookHttpClient = createWebhookHttpClient(settings);
    const announce = () => {
      logger.info({ webhooks: [...webhooks.keys()], httpsOnly: settings.httpsOnly, allowLocalWebhooks: settings.allowLocalWebhooks }, 'webhook transport configured');
      if (settings.allowTrustAll) logger.warn('TLS certificates of webhook receivers are not verified (com.openexchange.pns.transport.webhooks.allowTrustAll=true)');
      if (settings.allowLocalWebhooks) logger.warn('webhooks may call loopback and private addresses (com.openexchange.pns.transport.webhooks.allowLocalWebhooks=true)');
    };
    announce();

    const transport = createWebhookTransport({
      settings: () => settings,
      webhooks: () => webhooks,
      client: () => client,
      cascade,
      store: () => registry.get(subscriptionStoreRef),
      users: () => services.users.get(),
      logger,
    });
    const stopReload = config.onReload(() => {
      const previous = client;
      settings = readTransportSettings(config);
      webhooks = parseWebhooks(config.yaml('webhooks.yml'), logger);
      client = createWebhookHttpClient(settings);
      previous.close();
      announce();
    });
    register(pushTransportRef, transport, { properties: { transport: 'webhook' } });
    register(metricsSourceRef, createWebhookMetricsSource(transport));
    return () => {
      stopReload();
      transport.abort();
      client.close();
    };
  },
});
