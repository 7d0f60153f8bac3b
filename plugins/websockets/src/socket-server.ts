import { Server as EngineServer } from 'engine.io';
import type { HttpService, Logger, WebSocketService } from '@keel/plugin-sdk';
import { isKeelError } from '@keel/plugin-sdk';
import { Server as IoServer, type ServerOptions } from 'socket.io';
import type { Handshake, SocketIdentity } from './authenticate-handshake.js';
import { attachToHttp } from './http-attachment.js';

export const SOCKET_PATH = '/socket.io/appsuite';

export interface SocketServerOptions {
  http: HttpService;
  logger: Logger;
  authenticate(handshake: Handshake): Promise<SocketIdentity>;
  path?: string;
  /** A Socket.IO adapter (e.g. Redis) so that emits to a user's room reach the sockets on other nodes. */
  adapter?: ServerOptions['adapter'];
}

/** What the socket keeps about its owner (`socket.data`). */
export type SocketData = Omit<SocketIdentity, 'slot'>;

export interface SocketServer {
  readonly io: IoServer<Record<string, never>, Record<string, (...args: unknown[]) => void>, Record<string, never>, SocketData>;
  readonly service: WebSocketService;
  /** Connected sockets by Engine.IO protocol, counted from the live socket table (no I/O). */
  connectionsByProtocol(): { eio3: number; eio4: number };
  /** Sends `session:invalid` to the session's sockets on this node and disconnects them. */
  invalidateSession(sessionId: string): void;
  /** Closes every socket (clients will reconnect) and detaches from the HTTP server, which keeps running. */
  close(): Promise<void>;
}

export const userRoom = (contextId: number, userId: number) => `user:${contextId}:${userId}`;
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;

/** An error as Socket.IO hands it to the client: v4 `connect_error` (message + data), v2 `error` (data). */
type HandshakeError = Error & { data?: unknown };

export function createSocketServer(options: SocketServerOptions): SocketServer {
  const { http, logger } = options;
  const path = options.path ?? SOCKET_PATH;
  const pollingPossible = typeof http.onRawRequest === 'function';

  const engine = new EngineServer({
    // The App Suite UI is Socket.IO client v2 (Engine.IO 3); `EIO` absent means 3.
    allowEIO3: true,
    transports: pollingPossible ? ['polling', 'websocket'] : ['websocket'],
    // Compression off: tiny JSON events, and deflate costs memory per socket.
    perMessageDeflate: false,
    httpCompression: false,
    // Clients only send pings and packet acks.
    maxHttpBufferSize: 64 * 1024,
  });
  const io: SocketServer['io'] = new IoServer({
    path,
    serveClient: false,
    // Engine connections that never connect a namespace are dropped quickly.
    connectTimeout: 10_000,
    ...(options.adapter !== undefined ? { adapter: options.adapter } : {}),
  });
  io.bind(engine);
  // A socket that closed while its polling transport still waited to send a close packet leaves a
  // 30 s timer behind (see finishPendingCloses); nothing will poll a closed socket, so finish it.
  engine.on('connection', (socket: { once(event: 'close', listener: () => void): void; transport?: ClosingPollingTransport }) => {
    socket.once('close', () => socket.transport?.shouldClose?.());
  });
  const attachment = attachToHttp(http, path, engine);

  io.use((socket, next) => {
    const { query, headers, address } = socket.handshake;
    options.authenticate({ query, headers }).then(
      (identity) => {
        const { slot, ...data } = identity;
        // The engine connection's close covers sockets that never finish connecting, too.
        socket.conn.once('close', () => slot.release());
        socket.data = data;
        next();
      },
      (error: unknown) => {
        const code = isKeelError(error) ? error.code : 'WS-0000';
        const status = isKeelError(error) ? error.status : 500;
        const message = isKeelError(error) ? error.message : 'The socket handshake failed; see the server log';
        if (!isKeelError(error)) logger.error({ err: { message: (error as Error).message }, ip: address }, 'socket handshake failed');
        else logger.debug({ code, ip: address }, 'socket handshake rejected');
        const rejection: HandshakeError = new Error(message);
        // v2 clients (Engine.IO 3) receive `data` alone in their `error` event, so it carries the message too.
        rejection.data = socket.conn.protocol === 3 ? { code, status, message } : { code, status };
        next(rejection);
        // The rejection packet is written on the next tick; then the connection goes, so a flood
        // of bad handshakes holds nothing (clients reconnect with their usual back-off).
        setImmediate(() => socket.conn.close());
      },
    );
  });

  io.on('connection', (socket) => {
    const { contextId, userId, sessionId, connectionId } = socket.data;
    void socket.join([userRoom(contextId, userId), sessionRoom(sessionId)]);
    logger.debug({ context: contextId, user: userId, connection: connectionId, protocol: socket.conn.protocol }, 'socket connected');
    socket.on('disconnect', (reason) => {
      logger.debug({ context: contextId, user: userId, connection: connectionId, reason }, 'socket disconnected');
    });
  });

  const service: WebSocketService = {
    async emitToUser(contextId, userId, event, payload) {
      io.to(userRoom(contextId, userId)).emit(event, payload);
    },
    localSocketCount: (contextId, userId) => io.of('/').adapter.rooms.get(userRoom(contextId, userId))?.size ?? 0,
    totalLocalSockets: () => io.of('/').sockets.size,
  };

  return {
    io,
    service,
    connectionsByProtocol() {
      const counts = { eio3: 0, eio4: 0 };
      for (const socket of io.of('/').sockets.values()) {
        if (socket.conn.protocol === 3) counts.eio3++;
        else counts.eio4++;
      }
      return counts;
    },
    invalidateSession(sessionId) {
      // Local only: every node hears about a removed session and handles its own sockets.
      const room = io.local.to(sessionRoom(sessionId));
      room.emit('session:invalid');
      room.disconnectSockets(true);
    },
    async close() {
      attachment.detach();
      // Not attached to the HTTP server, io.close() leaves it alone: it closes the sockets'
      // transports (no DISCONNECT packet, so clients reconnect), the adapters and the engine.
      await io.close();
      finishPendingCloses(engine);
    },
  };
}

/** The engine.io internals {@link finishPendingCloses} reaches for (not in its public types). */
interface ClosingPollingTransport {
  shouldClose?: () => void;
}

/**
 * A long-polling transport that is closed while no GET is waiting buffers its close packet for the
 * next poll, on a 30 s timer (engine.io's fixed `closeTimeout`), and the timer is only cleared when
 * that poll comes. That happens to clients that handshook and went away (refused handshakes, connect
 * timeouts, ping timeouts), and the timers held a stopped bundle's sockets, and the process after
 * SIGTERM, for up to 30 s. Nobody polls a detached endpoint again, so those closes are finished now
 * (`shouldClose` runs the buffered close and clears its timer).
 */
export function finishPendingCloses(engine: EngineServer): void {
  const clients = (engine as unknown as { clients: Record<string, { transport?: ClosingPollingTransport }> }).clients;
  for (const client of Object.values(clients)) client.transport?.shouldClose?.();
}
