import { duplicateConnection, tooManySockets } from './errors.js';

/** A reserved place for one socket of a user; released when its connection closes (idempotent). */
export interface SocketSlot {
  release(): void;
}

/**
 * The connection ids of each user's sockets on this node. A handshake reserves its place here
 * synchronously, after the asynchronous session checks, so concurrent handshakes of one user cannot
 * both pass the limit or share a connection id.
 */
export class UserSockets {
  readonly #users = new Map<string, Set<string>>();

  reserve(contextId: number, userId: number, connectionId: string, max: number): SocketSlot {
    const key = `${contextId}:${userId}`;
    let connections = this.#users.get(key);
    if (connections?.has(connectionId)) throw duplicateConnection(connectionId);
    if ((connections?.size ?? 0) >= max) throw tooManySockets(max);
    if (connections === undefined) this.#users.set(key, (connections = new Set()));
    connections.add(connectionId);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        connections.delete(connectionId);
        if (connections.size === 0 && this.#users.get(key) === connections) this.#users.delete(key);
      },
    };
  }

  count(contextId: number, userId: number): number {
    return this.#users.get(`${contextId}:${userId}`)?.size ?? 0;
  }

  get users(): number {
    return this.#users.size;
  }
}
