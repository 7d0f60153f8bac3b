import type { Redis } from 'ioredis';
import type { Logger } from '@keel/plugin-sdk';

/** Several pub/sub channels over one subscriber connection (which ioredis re-subscribes after a reconnect). */
export interface Channels {
  subscribe(channel: string, handler: (message: string) => void): Promise<void>;
  close(): void;
}

export function createChannels(subscriber: Redis, logger: Logger): Channels {
  const handlers = new Map<string, (message: string) => void>();
  const onMessage = (channel: string, message: string) => {
    const handler = handlers.get(channel);
    if (handler === undefined) return;
    try {
      handler(message);
    } catch (error) {
      logger.error({ channel, err: { message: (error as Error).message } }, 'a cluster message could not be handled');
    }
  };
  subscriber.on('message', onMessage);
  return {
    async subscribe(channel, handler) {
      handlers.set(channel, handler);
      await subscriber.subscribe(channel);
    },
    close() {
      subscriber.off('message', onMessage);
      handlers.clear();
    },
  };
}
