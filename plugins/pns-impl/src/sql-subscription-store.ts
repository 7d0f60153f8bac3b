// SubscriptionStore on the shared SQL database (see subscription-schema.ts for the tables).
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, PushMatch, PushSubscription, SubscriptionStore } from '@keel/plugin-sdk';
import { tooManySubscriptions } from './errors.js';

export interface SqlSubscriptionStore extends SubscriptionStore {
  /** Deletes expired subscriptions; returns how many. */
  deleteExpired(): Promise<number>;
  /** Deletes every subscription of a user (the user was deleted). */
  deleteUser(contextId: number, userId: number): Promise<number>;
}

export interface StoreOptions {
  database: Database;
  now(): number;
  /** Subscriptions per (user, transport, client); 0 = no limit. */
  maxPerClient(): number;
  /** Whether a token may be held by several users (asks the transport); false moves it to the newest subscriber. */
  sharesToken(subscription: PushSubscription): boolean;
}

// IN lists stay well below every driver's parameter limit.
const CHUNK = 500;

interface SubscriptionRow {
  id: number;
  cid: number;
  user_id: number;
  token: string;
  client: string;
  transport: string;
  expires: number | string | null;
  meta: string | null;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** `ox:mail:new` → `['ox:mail:new', '*', 'ox:*', 'ox:mail:*']`: every stored pattern that can cover it. */
export function coveringPatterns(topic: string): string[] {
  const patterns = [topic, '*'];
  const parts = topic.split(':');
  for (let i = 1; i < parts.length; i++) patterns.push(`${parts.slice(0, i).join(':')}:*`);
  return patterns;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function parseMeta(meta: string | null): Record<string, unknown> | undefined {
  if (meta === null || meta === '') return undefined;
  try {
    const value: unknown = JSON.parse(meta);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Unique-key races (two subscribes of one key at once) and InnoDB deadlocks are retried. */
function isRetryable(error: unknown): boolean {
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown };
  return code === 'ER_DUP_ENTRY' || code === 'ER_LOCK_DEADLOCK' || errno === 1062 || errno === 1213
    || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function createSqlSubscriptionStore(options: StoreOptions): SqlSubscriptionStore {
  const { database } = options;
  const db = database.db;

  async function deleteIds(trx: Kysely<any>, ids: readonly number[]): Promise<number> {
    let removed = 0;
    for (const part of chunks(ids)) {
      await trx.deleteFrom('pns_subscription_topic').where('subscription_id', 'in', part).execute();
      const result = await trx.deleteFrom('pns_subscription').where('id', 'in', part).executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    return removed;
  }

  async function subscribeOnce(subscription: PushSubscription): Promise<void> {
    const { contextId, userId, token, client, transport } = subscription;
    const hash = tokenHash(token);
    const now = options.now();
    const topics = [...new Set(subscription.topics)];
    await database.transaction(async (trx) => {
      if (!options.sharesToken(subscription)) {
        // The token moves to its newest subscriber: other users lose it.
        const others = await trx.selectFrom('pns_subscription').select('id')
          .where('token_hash', '=', hash).where('transport', '=', transport)
          .where((eb) => eb.or([eb('cid', '<>', contextId), eb('user_id', '<>', userId)]))
          .execute();
        await deleteIds(trx, others.map((row: { id: number }) => Number(row.id)));
      }
      const existing = await trx.selectFrom('pns_subscription').select('id')
        .where('cid', '=', contextId).where('user_id', '=', userId).where('token_hash', '=', hash).where('client', '=', client)
        .executeTakeFirst() as { id: number } | undefined;
      const limit = options.maxPerClient();
      if (limit > 0 && existing === undefined) {
        const row = await trx.selectFrom('pns_subscription').select((eb) => eb.fn.countAll().as('count'))
          .where('cid', '=', contextId).where('user_id', '=', userId).where('transport', '=', transport).where('client', '=', client)
          .where((eb) => eb.or([eb('expires', 'is', null), eb('expires', '>', now)]))
          .executeTakeFirst() as { count: number | string | bigint } | undefined;
        if (Number(row?.count ?? 0) >= limit) throw tooManySubscriptions(limit, transport, client);
      }
      const values = {
        token,
        transport,
        expires: subscription.expires ?? null,
        meta: subscription.meta === undefined ? null : JSON.stringify(subscription.meta),
      };
      let id: number;
      if (existing !== undefined) {
        id = Number(existing.id);
        await trx.updateTable('pns_subscription').set(values).where('id', '=', id).execute();
        await trx.deleteFrom('pns_subscription_topic').where('subscription_id', '=', id).execute();
      } else {
        const result = await trx.insertInto('pns_subscription')
          .values({ cid: contextId, user_id: userId, token_hash: hash, client, created: now, ...values })
          .executeTakeFirst();
        id = Number(result.insertId);
      }
      if (topics.length > 0) {
        await trx.insertInto('pns_subscription_topic')
          .values(topics.map((topic) => ({ subscription_id: id, cid: contextId, user_id: userId, topic })))
          .execute();
      }
    });
  }

  async function topicsOf(ids: readonly number[]): Promise<Map<number, string[]>> {
    const topics = new Map<number, string[]>();
    for (const part of chunks(ids)) {
      const rows = await db.selectFrom('pns_subscription_topic').select(['subscription_id', 'topic'])
        .where('subscription_id', 'in', part).orderBy('topic').execute() as Array<{ subscription_id: number; topic: string }>;
      for (const row of rows) {
        const id = Number(row.subscription_id);
        const list = topics.get(id);
        if (list === undefined) topics.set(id, [row.topic]);
        else list.push(row.topic);
      }
    }
    return topics;
  }

  return {
    async subscribe(subscription) {
      for (let attempt = 1; ; attempt++) {
        try {
          await subscribeOnce(subscription);
          return;
        } catch (error) {
          if (attempt >= 3 || !isRetryable(error)) throw error;
        }
      }
    },

    async unsubscribe(key) {
      return database.transaction(async (trx) => {
        let query = trx.selectFrom('pns_subscription').select('id')
          .where('cid', '=', key.contextId).where('user_id', '=', key.userId)
          .where('client', '=', key.client).where('transport', '=', key.transport);
        if (key.token !== undefined) query = query.where('token_hash', '=', tokenHash(key.token));
        const rows = await query.execute() as Array<{ id: number }>;
        return deleteIds(trx, rows.map((row) => Number(row.id)));
      });
    },

    async removeToken(transport, token) {
      return database.transaction(async (trx) => {
        const rows = await trx.selectFrom('pns_subscription').select('id')
          .where('token_hash', '=', tokenHash(token)).where('transport', '=', transport)
          .execute() as Array<{ id: number }>;
        return deleteIds(trx, rows.map((row) => Number(row.id)));
      });
    },

    async interested(contextId, userIds, topic) {
      const users = [...new Set(userIds)];
      if (users.length === 0) return [];
      const patterns = coveringPatterns(topic);
      const now = options.now();
      const matches: PushMatch[] = [];
      const seen = new Set<number>();
      for (const part of chunks(users)) {
        const rows = await db.selectFrom('pns_subscription_topic as t')
          .innerJoin('pns_subscription as s', 's.id', 't.subscription_id')
          .select(['s.id', 's.cid', 's.user_id', 's.token', 's.client', 's.transport', 's.meta'])
          .where('t.cid', '=', contextId)
          .where('t.topic', 'in', patterns)
          .where('t.user_id', 'in', part)
          .where((eb) => eb.or([eb('s.expires', 'is', null), eb('s.expires', '>', now)]))
          .execute() as SubscriptionRow[];
        for (const row of rows) {
          const id = Number(row.id);
          // A subscription with both `ox:*` and `ox:mail:new` matches twice in the join.
          if (seen.has(id)) continue;
          seen.add(id);
          const meta = parseMeta(row.meta);
          matches.push({
            contextId: Number(row.cid), userId: Number(row.user_id), token: row.token, client: row.client, transport: row.transport, topic,
            ...(meta === undefined ? {} : { meta }),
          });
        }
      }
      return matches;
    },

    async list(contextId, userId) {
      const now = options.now();
      const rows = await db.selectFrom('pns_subscription')
        .select(['id', 'cid', 'user_id', 'token', 'client', 'transport', 'expires', 'meta'])
        .where('cid', '=', contextId).where('user_id', '=', userId)
        .where((eb) => eb.or([eb('expires', 'is', null), eb('expires', '>', now)]))
        .orderBy('id').execute() as SubscriptionRow[];
      const topics = await topicsOf(rows.map((row) => Number(row.id)));
      return rows.map((row) => {
        const meta = parseMeta(row.meta);
        return {
          contextId: Number(row.cid), userId: Number(row.user_id), token: row.token, client: row.client, transport: row.transport,
          topics: topics.get(Number(row.id)) ?? [],
          ...(row.expires === null ? {} : { expires: Number(row.expires) }),
          ...(meta === undefined ? {} : { meta }),
        };
      });
    },

    async deleteExpired() {
      let removed = 0;
      for (;;) {
        const rows = await db.selectFrom('pns_subscription').select('id')
          .where('expires', 'is not', null).where('expires', '<=', options.now())
          .limit(CHUNK).execute() as Array<{ id: number }>;
        if (rows.length === 0) return removed;
        removed += await database.transaction((trx) => deleteIds(trx, rows.map((row) => Number(row.id))));
      }
    },

    async deleteUser(contextId, userId) {
      return database.transaction(async (trx) => {
        const rows = await trx.selectFrom('pns_subscription').select('id')
          .where('cid', '=', contextId).where('user_id', '=', userId).execute() as Array<{ id: number }>;
        return deleteIds(trx, rows.map((row) => Number(row.id)));
      });
    },
  };
}
