import type { Database, PushRegistration, PushUser } from '@keel/plugin-sdk';

/** Permanent listener registrations in `registeredPush(cid, user, client)`. */
export interface RegistrationStore {
  /** True when the row is new. */
  add(registration: PushRegistration): Promise<boolean>;
  /** True when a row was removed. */
  remove(registration: PushRegistration): Promise<boolean>;
  removeUser(user: PushUser): Promise<number>;
  /** Every registration, ordered by (context, user, client). */
  list(): Promise<PushRegistration[]>;
  /** The clients a user is registered with (empty when none). */
  clientsOf(user: PushUser): Promise<string[]>;
  /** Every registered user once, ordered by (context, user). */
  users(): Promise<PushUser[]>;
}

interface Row { cid: number; user: number; client: string }

export function createRegistrationStore(database: Database): RegistrationStore {
  const { db } = database;
  const byUser = (user: PushUser) => db.selectFrom('registeredPush').where('cid', '=', user.contextId).where('user', '=', user.userId);

  return {
    async add({ contextId, userId, client }) {
      const exists = async () => (await db.selectFrom('registeredPush').select('cid')
        .where('cid', '=', contextId).where('user', '=', userId).where('client', '=', client).executeTakeFirst()) !== undefined;
      if (await exists()) return false;
      try {
        await db.insertInto('registeredPush').values({ cid: contextId, user: userId, client }).execute();
        return true;
      } catch (error) {
        // Two registrations of the same (user, client) at once: the primary key let one in.
        if (await exists()) return false;
        throw error;
      }
    },
    async remove({ contextId, userId, client }) {
      const result = await db.deleteFrom('registeredPush')
        .where('cid', '=', contextId).where('user', '=', userId).where('client', '=', client).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async removeUser(user) {
      const result = await db.deleteFrom('registeredPush').where('cid', '=', user.contextId).where('user', '=', user.userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async list() {
      const rows = (await db.selectFrom('registeredPush').select(['cid', 'user', 'client']).orderBy('cid').orderBy('user').orderBy('client').execute()) as Row[];
      return rows.map((row) => ({ contextId: Number(row.cid), userId: Number(row.user), client: row.client }));
    },
    async clientsOf(user) {
      const rows = (await byUser(user).select('client').orderBy('client').execute()) as Array<{ client: string }>;
      return rows.map((row) => row.client);
    },
    async users() {
      const rows = (await db.selectFrom('registeredPush').select(['cid', 'user']).distinct().orderBy('cid').orderBy('user').execute()) as Array<{ cid: number; user: number }>;
      return rows.map((row) => ({ contextId: Number(row.cid), userId: Number(row.user) }));
    },
  };
}
