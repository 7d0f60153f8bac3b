import type { Redis } from 'ioredis';
import type { ClusterService, Logger } from '@keel/plugin-sdk';
import type { Channels } from './channels.js';
import { Listeners } from './listeners.js';

const TOPIC = /^[A-Za-z0-9._:-]{1,100}$/;

/** `ClusterService.broadcast` / `onBroadcast` over one pub/sub channel per topic. */
export function createBroadcasts(options: { redis: Redis; channels: Channels; channel: (topic: string) => string; nodeId: string; logger: Logger }): Pick<ClusterService, 'broadcast' | 'onBroadcast'> {
  const { redis, channels, nodeId, logger } = options;
  const topics = new Map<string, Listeners<[unknown, string]>>();

  function checked(topic: string): string {
    if (!TOPIC.test(topic)) throw new TypeError(`invalid broadcast topic '${topic}': letters, digits and . _ : - only`);
    return topic;
  }

  return {
    async broadcast(topic, message) {
      await redis.publish(options.channel(checked(topic)), JSON.stringify({ from: nodeId, message }));
    },
    onBroadcast(topic, listener) {
      let listeners = topics.get(checked(topic));
      if (listeners === undefined) {
        const created = new Listeners<[unknown, string]>(logger, `broadcast ${topic}`);
        topics.set(topic, (listeners = created));
        channels.subscribe(options.channel(topic), (text) => {
          const { from, message } = JSON.parse(text) as { from: string; message: unknown };
          if (from !== nodeId) created.fire(message, from);
        }).catch((error: unknown) => logger.warn({ topic, err: { message: (error as Error).message } }, 'could not subscribe to a cluster broadcast topic'));
      }
      return listeners.add(listener);
    },
  };
}
