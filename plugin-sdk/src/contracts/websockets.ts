import { createServiceRef } from '../service-ref.js';

/**
 * The Socket.IO server of the App Suite UI (`/socket.io/appsuite`). Sockets join a room per user,
 * so an emit reaches every socket of that user on whichever node holds it (when clustered).
 */
export interface WebSocketService {
  /** Emits `[event, payload]` on namespace `/` to every socket of the user. */
  emitToUser(contextId: number, userId: number, event: string, payload: unknown): Promise<void>;
  /** Sockets of a user on this node. */
  localSocketCount(contextId: number, userId: number): number;
  /** Every socket on this node. */
  totalLocalSockets(): number;
}

export const webSocketServiceRef = createServiceRef<WebSocketService>({ id: 'websockets.service', version: '1.0.0' });

/**
 * A Socket.IO adapter for the websockets bundle (cluster-redis registers one), so that an emit to a
 * user's room reaches the sockets on other nodes. Typed loosely because the SDK does not depend on
 * socket.io: `createAdapter` is Socket.IO's `adapter` server option, `(namespace) => Adapter`.
 * When the highest-ranked provider changes, the websockets bundle rebuilds its Socket.IO server
 * (connected clients reconnect).
 */
export interface SocketIoAdapterProvider {
  /** For logs: `redis-sharded`, `redis`. */
  readonly name: string;
  createAdapter(namespace: unknown): unknown;
}

export const socketIoAdapterRef = createServiceRef<SocketIoAdapterProvider>({ id: 'websockets.socketio-adapter', version: '1.0.0' });
