import { contextServiceRef, defineBundle, sessionRemovedHook, sessionServiceRef, webSocketServiceRef } from '@keel/plugin-sdk';
import { authenticateHandshake } from './authenticate-handshake.js';
import { createSocketServer } from './socket-server.js';
import { UserSockets } from './user-sockets.js';

export { SOCKET_PATH, createSocketServer, userRoom, sessionRoom } from './socket-server.js';
export type { SocketServer, SocketServerOptions } from './socket-server.js';

/**
 * The App Suite UI's Socket.IO endpoint `/socket.io/appsuite` on the core HTTP server.
 * Sockets join a room per user; `WebSocketService.emitToUser` emits to that room.
 */
export default defineBundle({
  provides: [webSocketServiceRef],
  requires: { sessions: sessionServiceRef },
  optional: { contexts: contextServiceRef },
  start({ services, http, cascade, hooks, logger, register }) {
    const sockets = new UserSockets();
    const server = createSocketServer({
      http,
      logger,
      authenticate: (handshake) =>
        authenticateHandshake({ sessions: services.sessions, cascade, contexts: () => services.contexts.get(), sockets }, handshake),
    });

    hooks.get(sessionRemovedHook).tapPromise('websockets', async ({ session }) => {
      server.invalidateSession(session.sessionId);
    });

    register(webSocketServiceRef, server.service);
    logger.info({ path: '/socket.io/appsuite' }, 'Socket.IO endpoint ready');
    return () => server.close();
  },
});
