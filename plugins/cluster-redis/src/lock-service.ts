import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LockService } from '@keel/plugin-sdk';
import type { ClusterKeys } from './keys.js';

// Only the holder (same random token) may release or extend: compare-and-delete / compare-and-pexpire.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

type LockCommands = Redis & {
  keelLockRelease(key: string, token: string): Promise<number>;
  keelLockExtend(key: string, token: string, ttlMs: number): Promise<number>;
};

/**
 * Cluster-wide locks: `SET key token NX PX ttl`. A lock held by a node that dies expires by
 * itself. While Redis is unreachable, tryLock and extend throw (the caller treats that as "not
 * held": push-imapidle closes the connection rather than risk two listeners for one user).
 */
export function createLockService(redis: Redis, keys: ClusterKeys): LockService {
  const commands = redis as LockCommands;
  if (typeof commands.keelLockRelease !== 'function') {
    // defineCommand sends EVALSHA and falls back to EVAL after a restart emptied the script cache.
    redis.defineCommand('keelLockRelease', { numberOfKeys: 1, lua: RELEASE });
    redis.defineCommand('keelLockExtend', { numberOfKeys: 1, lua: EXTEND });
  }
  return {
    async tryLock(name, ttlMs) {
      const key = keys.lock(name);
      const token = randomBytes(16).toString('hex');
      const taken = await redis.set(key, token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
      if (taken !== 'OK') return undefined;
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await commands.keelLockRelease(key, token);
        },
        async extend(nextTtlMs) {
          if (released) return false;
          return (await commands.keelLockExtend(key, token, Math.max(1, Math.ceil(nextTtlMs)))) === 1;
        },
      };
    },
  };
}
