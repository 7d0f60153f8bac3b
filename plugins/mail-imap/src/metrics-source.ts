// mail-imap's figures for the metrics bundle. push-imapidle opens its own IDLE connections and
// reports them under the same family with `bundle="push-imapidle"`.
import { metricFamily, type MetricsSource } from '@keel/plugin-sdk';

export function createMailMetricsSource(openConnections: () => number): MetricsSource {
  return {
    name: 'mail-imap',
    collect: () => [
      metricFamily({ name: 'keel_imap_connections', help: 'IMAP connections held by a bundle (connecting or open).', type: 'gauge', labelNames: ['bundle'] }, { 'mail-imap': openConnections() }),
    ],
  };
}
