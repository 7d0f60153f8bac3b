import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '@keel/plugin-sdk';
import { redisUnreachable } from './errors.js';

export type ConnectionRole = 'command' | 'subscriber' | 'adapter-pub' | 'adapter-sub';

/**
 * The node's Redis connections and one view of whether Redis is reachable. An outage is logged
 * once when the first connection drops and once when every connection is back, never per command.
 */
export interface RedisConnections {
  readonly command: Redis;
  readonly subscriber: Redis;
  /** Created on first use: only when a Socket.IO adapter is wanted. */
  adapterClients(): { pub: Redis; sub: Redis };
  connected(): boolean;
  /** After an outage ended (every connection ready again). Returns an unsubscribe. */
  onRecovered(listener: () => void): () => void;
  close(): Promise<void>;
}

export interface ConnectionOptions {
  url: string;
  nodeId: string;
  connectTimeoutMs: number;
  logger: Logger;
}

function optionsFor(role: ConnectionRole, options: ConnectionOptions): RedisOptions {
  const subscriber = role === 'subscriber' || role === 'adapter-sub';
  return {
    lazyConnect: true,
    connectionName: `keel-${options.nodeId}-${role}`.replace(/[^A-Za-z0-9._:-]/g, '_'),
    connectTimeout: options.connectTimeoutMs,
    // Back off to one attempt per second; never give up (the node goes on serving local work).
    retryStrategy: (times) => Math.min(200 * times, 1000),
    // Commands wait through a short blip (a restart) and fail after ~3 s of outage, so requests do
    // not hang. Subscriptions wait as long as it takes: a lost SUBSCRIBE would lose messages for good.
    // The adapter's publishes give up after one attempt: the sharded adapter delivers to this node's
    // own sockets only once its publish settled, and local delivery must not wait for an outage.
    maxRetriesPerRequest: subscriber ? null : role === 'adapter-pub' ? 1 : 5,
    ...(subscriber ? {} : { commandTimeout: 5000 }),
    enableAutoPipelining: role === 'command',
  };
}

export async function openConnections(options: ConnectionOptions): Promise<RedisConnections> {
  const { logger } = options;
  const clients = new Map<ConnectionRole, Redis>();
  const ready = new Set<ConnectionRole>();
  const recovered = new Set<() => void>();
  let outageSince: number | undefined;
  let closing = false;

  function attach(role: ConnectionRole, client: Redis): void {
    client.on('ready', () => {
      ready.add(role);
      if (outageSince !== undefined && ready.size === clients.size) {
        logger.info({ redis: options.url, outageMs: Date.now() - outageSince }, 'Redis reachable again; re-joining the cluster');
        outageSince = undefined;
        for (const listener of recovered) {
          try {
            listener();
          } catch (error) {
            logger.error({ err: { message: (error as Error).message } }, 'a Redis recovery listener failed');
          }
        }
      }
    });
    const lost = (reason: string) => {
      ready.delete(role);
      if (closing || outageSince !== undefined) return;
      outageSince = Date.now();
      logger.warn({ redis: options.url, connection: role, reason }, 'Redis unreachable; serving local work and retrying');
    };
    // ioredis prints unhandled 'error' events itself; the outage is logged once above instead.
    client.on('error', (error: Error) => lost(error.message));
    client.on('close', () => lost('connection closed'));
    clients.set(role, client);
  }

  function create(role: ConnectionRole): Redis {
    const client = new Redis(options.url, optionsFor(role, options));
    attach(role, client);
    return client;
  }

  const command = create('command');
  const subscriber = create('subscriber');
  try {
    await Promise.all([command.connect(), subscriber.connect()]);
  } catch (error) {
    closing = true;
    command.disconnect();
    subscriber.disconnect();
    throw redisUnreachable(options.url, (error as Error).message);
  }

  let adapter: { pub: Redis; sub: Redis } | undefined;
  return {
    command,
    subscriber,
    adapterClients() {
      if (adapter === undefined) {
        adapter = { pub: create('adapter-pub'), sub: create('adapter-sub') };
        // Connected in the background: commands queue until then.
        adapter.pub.connect().catch(() => undefined);
        adapter.sub.connect().catch(() => undefined);
      }
      return adapter;
    },
    connected: () => outageSince === undefined && ready.size === clients.size,
    onRecovered(listener) {
      recovered.add(listener);
      return () => recovered.delete(listener);
    },
    async close() {
      closing = true;
      recovered.clear();
      await Promise.all([...clients.values()].map(async (client) => {
        // QUIT lets queued replies arrive; a dead connection is just dropped.
        if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
        else client.disconnect();
      }));
    },
  };
}
