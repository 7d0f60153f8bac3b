import type { Redis } from 'ioredis';
import type { Logger, Session, SessionRemoval, SessionStorage } from '@keel/plugin-sdk';
import type { Channels } from './channels.js';
import type { ClusterKeys } from './keys.js';
import { Listeners } from './listeners.js';
import type { SessionCodec, SessionFields } from './session-codec.js';

// lastActiveAt only moves forward, whichever node touches last.
const TOUCH = `local current = tonumber(redis.call('HGET', KEYS[1], 'lastActiveAt'))
if current == nil then return 0 end
if tonumber(ARGV[1]) > current then redis.call('HSET', KEYS[1], 'lastActiveAt', ARGV[1]) end
return 1`;

type TouchCommand = Redis & { keelSessionTouch(key: string, at: number): Promise<number> };

interface RemovalMessage { origin: string; reason: SessionRemoval['reason']; session: Session }

export interface RedisSessionStorage extends SessionStorage {
  /** Announces a removal this node made to every other node (sessiond fired the hook here already). */
  announceRemoval(removal: SessionRemoval): Promise<void>;
  /** After Redis lost its data: writes back the sessions this node created that are not there. */
  rewrite(): Promise<number>;
  start(): Promise<void>;
  stop(): void;
}

export interface SessionStorageOptions {
  redis: Redis;
  channels: Channels;
  keys: ClusterKeys;
  codec: SessionCodec;
  nodeId: string;
  ttlMs: number;
  logger: Logger;
  /** Touches closer together than this are not written (default 1000 ms). */
  touchResolutionMs?: number;
  now?: () => number;
}

/**
 * Sessions in Redis so any node accepts any session: one hash per session with an expiry, a set per
 * user and one of all ids. Removals are published so every node's sessiond fires `sessions.removed`
 * (websockets closes its sockets, push stops listeners). Each node keeps the sessions it created in
 * memory, so that it can write them back when Redis restarts without persistence.
 */
export function createSessionStorage(options: SessionStorageOptions): RedisSessionStorage {
  const { redis, keys, codec, nodeId, ttlMs, logger } = options;
  const now = options.now ?? Date.now;
  const touchResolutionMs = options.touchResolutionMs ?? 1000;
  const commands = redis as TouchCommand;
  if (typeof commands.keelSessionTouch !== 'function') redis.defineCommand('keelSessionTouch', { numberOfKeys: 1, lua: TOUCH });

  /** Sessions created here (live objects, password in clear: this process only). */
  const own = new Map<string, Session>();
  /** Last lastActiveAt written per session, so a busy session costs one write per second, not per request. */
  const touched = new Map<string, number>();
  const removedListeners = new Listeners<[SessionRemoval]>(logger, 'session removal');
  /** Removals that came from another node: not announced again when our hook sees them. */
  const remote = new WeakSet<SessionRemoval>();

  function forget(sessionId: string): void {
    own.delete(sessionId);
    touched.delete(sessionId);
  }

  async function write(session: Session): Promise<void> {
    const fields = await codec.encode(session);
    const userKey = keys.userSessions(session.contextId, session.userId);
    const results = await redis.multi()
      .del(keys.session(session.sessionId))
      .hset(keys.session(session.sessionId), fields)
      .pexpire(keys.session(session.sessionId), ttlMs)
      .sadd(keys.sessions, session.sessionId)
      .sadd(userKey, session.sessionId)
      .pexpire(userKey, ttlMs)
      .exec();
    const failed = results?.find(([error]) => error !== null);
    if (failed) throw failed[0]!;
  }

  async function read(ids: readonly string[]): Promise<Array<Session | undefined>> {
    if (ids.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hgetall(keys.session(id));
    const results = (await pipeline.exec()) ?? [];
    return Promise.all(results.map(async ([error, fields], i) => {
      if (error) throw error;
      return codec.decode(fields as SessionFields, own.get(ids[i]!)?.password);
    }));
  }

  async function readSet(setKey: string): Promise<Session[]> {
    const ids = await redis.smembers(setKey);
    const sessions = await read(ids);
    const dangling = ids.filter((_, i) => sessions[i] === undefined);
    // Ids whose hash expired by itself: drop them from the index.
    if (dangling.length > 0) await redis.srem(setKey, ...dangling);
    return sessions.filter((s): s is Session => s !== undefined);
  }

  const storage: RedisSessionStorage = {
    async put(session) {
      await write(session);
      own.set(session.sessionId, { ...session });
      touched.set(session.sessionId, session.lastActiveAt);
    },

    async get(sessionId) {
      const fields = await redis.hgetall(keys.session(sessionId));
      return codec.decode(fields, own.get(sessionId)?.password);
    },

    async touch(sessionId, at) {
      const last = touched.get(sessionId);
      if (last !== undefined && at - last < touchResolutionMs) return;
      // A rough bound: the map only remembers recent sessions.
      if (touched.size > 100_000) touched.clear();
      touched.set(sessionId, at);
      const ownSession = own.get(sessionId);
      if (ownSession !== undefined && at > ownSession.lastActiveAt) ownSession.lastActiveAt = at;
      await commands.keelSessionTouch(keys.session(sessionId), at);
    },

    async delete(sessionId) {
      const key = keys.session(sessionId);
      const results = await redis.multi().hgetall(key).del(key).srem(keys.sessions, sessionId).exec();
      const [[readError, fields] = [null, {}], [, deleted] = [null, 0]] = results ?? [];
      if (readError) throw readError;
      const localPassword = own.get(sessionId)?.password;
      forget(sessionId);
      // Only the node whose DEL removed the hash reports the session, so the hook fires once.
      if (deleted !== 1) return undefined;
      const session = await codec.decode(fields as SessionFields, localPassword);
      if (session !== undefined) await redis.srem(keys.userSessions(session.contextId, session.userId), sessionId);
      return session;
    },

    listByUser: (contextId, userId) => readSet(keys.userSessions(contextId, userId)),
    list: () => readSet(keys.sessions),
    count: () => redis.scard(keys.sessions),

    onRemoved(listener) {
      return removedListeners.add(listener);
    },

    async announceRemoval(removal) {
      if (remote.has(removal)) return;
      // Neither the password nor the secret travels: listeners only need to know whose session went.
      const { password: _password, ...session } = removal.session;
      const message: RemovalMessage = { origin: nodeId, reason: removal.reason, session: { ...session, secret: '' } };
      await redis.publish(keys.sessionRemovedChannel, JSON.stringify(message));
    },

    async rewrite() {
      let written = 0;
      const oldest = now() - ttlMs;
      for (const session of [...own.values()]) {
        if (session.createdAt < oldest) {
          forget(session.sessionId);
          continue;
        }
        if ((await redis.exists(keys.session(session.sessionId))) === 1) continue;
        await write(session);
        written++;
      }
      return written;
    },

    async start() {
      await options.channels.subscribe(keys.sessionRemovedChannel, (text) => {
        const message = JSON.parse(text) as RemovalMessage;
        if (message.origin === nodeId) return;
        forget(message.session.sessionId);
        const removal: SessionRemoval = { session: message.session, reason: message.reason };
        remote.add(removal);
        removedListeners.fire(removal);
      });
    },

    stop() {
      removedListeners.clear();
      own.clear();
      touched.clear();
    },
  };
  return storage;
}
