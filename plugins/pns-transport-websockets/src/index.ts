import { defineBundle, pushTransportRef, webSocketServiceRef } from '@keel/plugin-sdk';
import { TRANSPORT_ID, createWebSocketTransport } from './websocket-transport.js';

export { APPSUITE_CLIENT, ENABLED_PROPERTY, IMPLICIT_TOPICS, TRANSPORT_ID, createWebSocketTransport } from './websocket-transport.js';

/** PNS transport `websocket`: the App Suite UI's ox:mail:* and ox:calendar:* events over its Socket.IO sockets. */
export default defineBundle({
  provides: [pushTransportRef],
  requires: { sockets: webSocketServiceRef },
  start({ services, cascade, logger, register }) {
    register(pushTransportRef, createWebSocketTransport({ sockets: services.sockets, cascade, logger }), { properties: { transport: TRANSPORT_ID } });
  },
});
