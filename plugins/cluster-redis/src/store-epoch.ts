import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Notices that Redis lost its data (a restart without persistence, a FLUSHALL): a random marker
 * key is set once and remembered; when it is gone or different, everything this node wrote may
 * be gone too and has to be written again.
 */
export interface StoreEpoch {
  /** Reads the marker (setting it when absent); true when it differs from the one seen before. */
  check(): Promise<boolean>;
}

export function createStoreEpoch(redis: Redis, key: string): StoreEpoch {
  let known: string | undefined;
  return {
    async check() {
      let current = await redis.get(key);
      if (current === null) {
        await redis.set(key, randomBytes(8).toString('hex'), 'NX');
        current = await redis.get(key);
      }
      if (current === null) return false;
      const lost = known !== undefined && known !== current;
      known = current;
      return lost;
    },
  };
}
