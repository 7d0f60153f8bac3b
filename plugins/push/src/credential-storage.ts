import type { CredentialStorage, Database, PushUser } from '@keel/plugin-sdk';
import type { CredentialCipher } from './credential-crypto.js';

/** Where sealed credentials live: process memory, or the `credentials` table. */
export interface CredentialBackend {
  put(user: PushUser, row: { login: string; sealed: string }): Promise<void>;
  get(user: PushUser): Promise<{ login: string; sealed: string } | undefined>;
  remove(user: PushUser): Promise<void>;
  readonly kind: 'memory' | 'rdb';
}

const keyOf = (user: PushUser) => `${user.contextId}:${user.userId}`;

export function createMemoryBackend(): CredentialBackend & { clear(): void } {
  const rows = new Map<string, { login: string; sealed: string }>();
  return {
    kind: 'memory',
    async put(user, row) {
      rows.set(keyOf(user), row);
    },
    async get(user) {
      return rows.get(keyOf(user));
    },
    async remove(user) {
      rows.delete(keyOf(user));
    },
    clear: () => rows.clear(),
  };
}

export function createSqlBackend(database: Database): CredentialBackend {
  const { db } = database;
  return {
    kind: 'rdb',
    async put(user, { login, sealed }) {
      // Delete + insert in one transaction: the same on both dialects, and never two rows.
      await database.transaction(async (trx) => {
        await trx.deleteFrom('credentials').where('cid', '=', user.contextId).where('user', '=', user.userId).execute();
        await trx.insertInto('credentials').values({ cid: user.contextId, user: user.userId, login, password: sealed }).execute();
      });
    },
    async get(user) {
      const row = (await db.selectFrom('credentials').select(['login', 'password'])
        .where('cid', '=', user.contextId).where('user', '=', user.userId).executeTakeFirst()) as { login: string; password: string } | undefined;
      return row === undefined ? undefined : { login: row.login, sealed: row.password };
    },
    async remove(user) {
      await db.deleteFrom('credentials').where('cid', '=', user.contextId).where('user', '=', user.userId).execute();
    },
  };
}

/** The credential storage: logins in clear, passwords sealed (see credential-crypto.ts). Never logs a password. */
export function createCredentialStorage(backend: CredentialBackend, cipher: CredentialCipher): CredentialStorage {
  return {
    async store(user, { login, password }) {
      await backend.put(user, { login, sealed: await cipher.seal(keyOf(user), password) });
    },
    async get(user) {
      const row = await backend.get(user);
      if (row === undefined) return undefined;
      return { login: row.login, password: await cipher.open(keyOf(user), row.sealed) };
    },
    remove: (user) => backend.remove(user),
  };
}
