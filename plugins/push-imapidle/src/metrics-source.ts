// push-imapidle's figures for the metrics bundle. It opens its IMAP clients itself (one per
// listener, kept in IDLE), so it reports them under the family mail-imap uses, told apart by `bundle`.
import { metricFamily, type MetricsSource } from '@keel/plugin-sdk';

export function createImapIdleMetricsSource(openConnections: () => number): MetricsSource {
  return {
    name: 'push-imapidle',
    collect: () => [
      metricFamily({ name: 'keel_imap_connections', help: 'IMAP connections held by a bundle (connecting or open).', type: 'gauge', labelNames: ['bundle'] }, { 'push-imapidle': openConnections() }),
    ],
  };
}
