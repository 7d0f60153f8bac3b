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
