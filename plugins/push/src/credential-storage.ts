import type { CredentialCipher, CredentialStorage, Database, PushUser } from '@keel/plugin-sdk';

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
      // Update, else insert: the same on both dialects. Two first stores at once meet at the
      // primary key; the loser updates the winner's row.
      const update = async () => Number((await db.updateTable('credentials').set({ login, password: sealed })
        .where('cid', '=', user.contextId).where('user', '=', user.userId).executeTakeFirst()).numUpdatedRows);
      if ((await update()) > 0) return;
      try {
        await db.insertInto('credentials').values({ cid: user.contextId, user: user.userId, login, password: sealed }).execute();
      } catch (error) {
        const exists = await db.selectFrom('credentials').select('cid').where('cid', '=', user.contextId).where('user', '=', user.userId).executeTakeFirst();
        if (exists === undefined) throw error;
        await update();
      }
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

/**
 * The credential storage: logins in clear, passwords sealed with the SDK's credential cipher
 * (AES-256-GCM, scrypt key from the passcrypt, the owner `<cid>:<user>` as associated data, so a
 * value copied to another user's row does not open). Never logs a password.
 */
export function createCredentialStorage(backend: CredentialBackend, cipher: CredentialCipher): CredentialStorage {
  return {
    async store(user, { login, password }) {
      await backend.put(user, { login, sealed: await cipher.encrypt(password, keyOf(user)) });
    },
    async get(user) {
      const row = await backend.get(user);
      if (row === undefined) return undefined;
      return { login: row.login, password: await cipher.decrypt(row.sealed, keyOf(user)) };
    },
    remove: (user) => backend.remove(user),
  };
}
