// websockets' figures for the metrics bundle: the sockets connected to this node right now.
import { metricFamily, type MetricsSource } from '@keel/plugin-sdk';

/** Connected sockets by Engine.IO protocol: `eio3` (App Suite UI, Socket.IO client v2) and `eio4`. */
export type ConnectionsByProtocol = Readonly<Record<'eio3' | 'eio4', number>>;

export function createWebSocketMetricsSource(connections: () => ConnectionsByProtocol): MetricsSource {
  return {
    name: 'websockets',
    collect: () => [
      metricFamily({ name: 'keel_socketio_connections', help: 'Socket.IO sockets connected to this node, by Engine.IO protocol.', type: 'gauge', labelNames: ['protocol'] }, connections()),
    ],
  };
}
