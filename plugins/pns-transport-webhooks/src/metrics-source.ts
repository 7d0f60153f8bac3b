// The webhook transport's figures for the metrics bundle, from its own delivery counters.
import { metricFamily, type MetricsSource } from '@keel/plugin-sdk';
import type { WebhookTransport } from './webhook-transport.js';

export function createWebhookMetricsSource(transport: Pick<WebhookTransport, 'counters'>): MetricsSource {
  return {
    name: 'pns-transport-webhooks',
    collect() {
      const { sent, failed, refused, retried } = transport.counters();
      return [
        metricFamily({ name: 'keel_webhook_deliveries_total', help: 'Webhook deliveries by outcome: delivered (2xx), failed (after retries, or answered 403/404/405), refused (the target guard refused the URI).', type: 'counter', labelNames: ['outcome'] }, { delivered: sent, failed, refused }),
        metricFamily({ name: 'keel_webhook_retries_total', help: 'Webhook delivery attempts repeated after a timeout, network failure or 5xx answer.', type: 'counter' }, retried),
      ];
    },
  };
}
