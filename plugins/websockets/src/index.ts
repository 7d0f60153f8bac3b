import {
  contextServiceRef, defineBundle, metricsSourceRef, sessionRemovedHook, sessionServiceRef, socketIoAdapterRef, webSocketServiceRef,
  type SocketIoAdapterProvider, type WebSocketService,
} from '@keel/plugin-sdk';
import type { ServerOptions } from 'socket.io';
import { followAdapter } from './adapter-switch.js';
import { authenticateHandshake } from './authenticate-handshake.js';
import { createWebSocketMetricsSource } from './metrics-source.js';
import { createSocketServer, type SocketServer } from './socket-server.js';
import { UserSockets } from './user-sockets.js';

export { SOCKET_PATH, createSocketServer, userRoom, sessionRoom } from './socket-server.js';
export type { SocketServer, SocketServerOptions } from './socket-server.js';

/**
 * The App Suite UI's Socket.IO endpoint `/socket.io/appsuite` on the core HTTP server.
 * Sockets join a room per user; `WebSocketService.emitToUser` emits to that room. With a
 * Socket.IO adapter provider (cluster-redis) the emit reaches the user's sockets on every node;
 * when that provider comes or goes the Socket.IO server is rebuilt and clients reconnect.
 */
export default defineBundle({
  provides: [webSocketServiceRef, metricsSourceRef],
  requires: { sessions: sessionServiceRef },
  optional: { contexts: contextServiceRef, adapter: socketIoAdapterRef },
  start({ services, http, cascade, hooks, logger, register }) {
    const sockets = new UserSockets();
    const build = (provider: SocketIoAdapterProvider | undefined) => createSocketServer({
      http,
      logger,
      authenticate: (handshake) =>
        authenticateHandshake({ sessions: services.sessions, cascade, contexts: () => services.contexts.get(), sockets }, handshake),
      // Socket.IO's `adapter` option; it is called with `new`, so a function expression, not an arrow.
      // The SDK types the factory loosely (it does not depend on socket.io).
      ...(provider !== undefined ? { adapter: function adapter(nsp: unknown) { return provider.createAdapter(nsp); } as unknown as ServerOptions['adapter'] } : {}),
    });

    let server: SocketServer | undefined;
    const adapter = followAdapter(services.adapter, async (provider) => {
      // Detach the old server first: two engines on one path would both answer the upgrades.
      const previous = server;
      server = undefined;
      await previous?.close();
      server = build(provider);
      logger.info({ adapter: provider?.name ?? 'local' }, 'Socket.IO server rebuilt for a new adapter; clients reconnect');
    }, (error) => logger.error({ err: { message: (error as Error).message } }, 'could not rebuild the Socket.IO server'));
    server = build(adapter.current);

    hooks.get(sessionRemovedHook).tapPromise('websockets', async ({ session }) => {
      server?.invalidateSession(session.sessionId);
    });

    // A stable service over whichever server is current; during a rebuild there is none for a moment.
    const service: WebSocketService = {
      emitToUser: async (contextId, userId, event, payload) => server?.service.emitToUser(contextId, userId, event, payload),
      localSocketCount: (contextId, userId) => server?.service.localSocketCount(contextId, userId) ?? 0,
      totalLocalSockets: () => server?.service.totalLocalSockets() ?? 0,
    };
    register(webSocketServiceRef, service);
    register(metricsSourceRef, createWebSocketMetricsSource(() => server?.connectionsByProtocol() ?? { eio3: 0, eio4: 0 }));
    logger.info({ path: '/socket.io/appsuite', adapter: adapter.current?.name ?? 'local' }, 'Socket.IO endpoint ready');
    return async () => {
      adapter.close();
      await adapter.settled();
      await server?.close();
      server = undefined;
    };
  },
});
