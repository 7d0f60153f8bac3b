// pns-impl's figures for the metrics bundle: read from the runtime's own counters at collect time.
import { metricFamily, type MetricsSource } from '@keel/plugin-sdk';
import type { PnsRuntime } from './push-notification-service.js';

/** The transports Keel ships; their series exist (at 0) before the first delivery. */
const KNOWN_TRANSPORTS = ['websocket', 'webhook', 'apn', 'gcm', 'wns'] as const;

function perTransport(counts: Readonly<Record<string, number>>, registered: readonly string[]): Record<string, number> {
  const all: Record<string, number> = {};
  for (const id of [...KNOWN_TRANSPORTS, ...registered]) all[id] = 0;
  return Object.assign(all, counts);
}

export function createPnsMetricsSource(runtime: PnsRuntime, transportIds: () => readonly string[]): MetricsSource {
  return {
    name: 'pns-impl',
    collect() {
      const { buffered, queued } = runtime.depth();
      const { handled, delivered, failed } = runtime.stats();
      const registered = transportIds();
      return [
        metricFamily({ name: 'keel_pns_queue_depth', help: 'Push notifications waiting: in the aggregation buffer, or in the processing queue not yet started.', type: 'gauge', labelNames: ['stage'] }, { buffer: buffered, queue: queued }),
        metricFamily({ name: 'keel_pns_notifications_handled_total', help: 'Push notifications accepted (handle, and deliverNow for admin sends).', type: 'counter' }, handled),
        metricFamily({ name: 'keel_pns_delivered_total', help: 'Subscription matches a transport delivered (handed over, and not reported failed by its deliver).', type: 'counter', labelNames: ['transport'] }, perTransport(delivered, registered)),
        metricFamily({ name: 'keel_pns_failed_total', help: 'Subscription matches a transport did not deliver: reported failed by its deliver (after its own retries; dead tokens included), or its deliver threw.', type: 'counter', labelNames: ['transport'] }, perTransport(failed, registered)),
      ];
    },
  };
}
