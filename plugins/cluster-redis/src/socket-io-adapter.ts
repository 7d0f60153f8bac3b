import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Logger, SocketIoAdapterProvider } from '@keel/plugin-sdk';

/** Commands the adapters send without awaiting them: a failure there must not become an unhandled rejection. */
const FIRE_AND_FORGET = new Set(['publish', 'spublish', 'subscribe', 'ssubscribe', 'psubscribe', 'unsubscribe', 'sunsubscribe', 'punsubscribe']);

/**
 * The client as the adapter sees it: the same connection, but the promises of the commands the
 * adapter fires and forgets get a handler (a failed emit during an outage is logged at debug
 * level; the outage itself is logged once by the connections).
 */
export function guardClient(client: Redis, logger: Logger): Redis {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !FIRE_AND_FORGET.has(property) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) {
          result.catch((error: unknown) => logger.debug({ command: property, err: { message: (error as Error).message } }, 'Socket.IO adapter command failed'));
        }
        return result;
      };
    },
  });
}

/**
 * `sharded`: one Redis (sharded) pub/sub channel per room; a node subscribes to a user's room
 * channel while it holds a socket of that user, so an emit reaches only the nodes that hold the
 * user's sockets. `classic`: every node pattern-subscribes to every room and filters locally.
 */
export function createAdapterProvider(mode: 'sharded' | 'classic', clients: { pub: Redis; sub: Redis }, channelPrefix: string, logger: Logger): SocketIoAdapterProvider {
  const pub = guardClient(clients.pub, logger);
  const sub = guardClient(clients.sub, logger);
  const factory = mode === 'sharded'
    ? createShardedAdapter(pub, sub, { channelPrefix, subscriptionMode: 'dynamic' })
    : createAdapter(pub, sub, { key: channelPrefix, publishOnSpecificResponseChannel: true });
  return {
    name: mode === 'sharded' ? 'redis-sharded' : 'redis',
    createAdapter: (namespace) => factory(namespace),
  };
}
