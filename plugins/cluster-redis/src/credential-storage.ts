import type { Redis } from 'ioredis';
import type { CredentialCipher, CredentialStorage, Logger, PushUser } from '@keel/plugin-sdk';
import { passcryptMissing } from '@keel/plugin-sdk';
import type { Channels } from './channels.js';
import type { ClusterKeys } from './keys.js';

export interface RedisCredentialStorage extends CredentialStorage {
  /** After Redis lost its data: writes back the credentials this node stored or read. */
  rewrite(): Promise<number>;
  start(): Promise<void>;
  stop(): void;
}

interface Stored { login: string; password: string }

const userKey = (user: PushUser) => `${user.contextId}:${user.userId}`;

/**
 * Push credentials in cluster memory (`com.openexchange.push.credstorage.rdb=false`): one Redis key
 * per user, the password sealed with the passcrypt (AES-256-GCM, scrypt key, the owner `<cid>:<user>`
 * as associated data), nothing persisted by
 * Keel. Each node remembers the sealed values it stored or read, so a Redis restart without
 * persistence loses only what no live member had seen — like the middleware's cluster map, which
 * is gone only when the last member goes.
 */
export function createCredentialStorage(options: {
  redis: Redis; channels: Channels; keys: ClusterKeys; cipher: CredentialCipher | undefined; nodeId: string; logger: Logger;
}): RedisCredentialStorage {
  const { redis, keys, cipher, nodeId } = options;
  const seen = new Map<string, { user: PushUser; value: string }>();

  function requireCipher(): CredentialCipher {
    if (cipher === undefined) throw passcryptMissing();
    return cipher;
  }

  return {
    async store(user, credentials) {
      const sealed: Stored = { login: credentials.login, password: await requireCipher().encrypt(credentials.password, userKey(user)) };
      const value = JSON.stringify(sealed);
      await redis.set(keys.credentials(user.contextId, user.userId), value);
      seen.set(userKey(user), { user: { contextId: user.contextId, userId: user.userId }, value });
    },

    async get(user) {
      const value = await redis.get(keys.credentials(user.contextId, user.userId));
      if (value === null) return undefined;
      const stored = JSON.parse(value) as Stored;
      const password = await requireCipher().decrypt(stored.password, userKey(user));
      seen.set(userKey(user), { user: { contextId: user.contextId, userId: user.userId }, value });
      return { login: stored.login, password };
    },

    async remove(user) {
      seen.delete(userKey(user));
      await redis.del(keys.credentials(user.contextId, user.userId));
      await redis.publish(keys.credentialsRemovedChannel, JSON.stringify({ origin: nodeId, user: userKey(user) }));
    },

    async rewrite() {
      let written = 0;
      for (const { user, value } of [...seen.values()]) {
        // NX: a member that stored newer credentials since the loss wins.
        if ((await redis.set(keys.credentials(user.contextId, user.userId), value, 'NX')) === 'OK') written++;
      }
      return written;
    },

    async start() {
      await options.channels.subscribe(keys.credentialsRemovedChannel, (text) => {
        const message = JSON.parse(text) as { origin: string; user: string };
        if (message.origin !== nodeId) seen.delete(message.user);
      });
    },

    stop() {
      seen.clear();
    },
  };
}
