import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger, Session, SessionRemoval, SessionService, SessionStorage } from '@keel/plugin-sdk';
import { cookieHash, secretCookieName } from './cookie-name.js';
import { secretMismatch, sessionExpired } from './errors.js';
import type { SessionSettings } from './session-settings.js';

export interface SessionServiceOptions {
  /** The storage to use, read at every call: a cluster bundle may register a higher-ranked one at any time. */
  storage: () => SessionStorage;
  settings: () => SessionSettings;
  /** Run after a session was stored / after one was removed (the bundle fires the SDK hooks here). */
  onAdded: (session: Session) => Promise<void>;
  onRemoved: (removal: SessionRemoval) => Promise<void>;
  logger: Logger;
  now?: () => number;
}

export interface SessionServiceImpl extends SessionService {
  /** Removes every idle or expired session; returns how many went. */
  sweep(): Promise<number>;
  /** Whether a session would be removed now, and why. */
  expiryOf(session: Session): 'idle' | 'expired' | undefined;
}

/** 128 random bits as 32 hex digits: session ids and secrets. */
export function randomToken(): string {
  return randomBytes(16).toString('hex');
}

export function createSessionService(options: SessionServiceOptions): SessionServiceImpl {
  const now = options.now ?? Date.now;
  const { logger } = options;
  /** Owners that asked for passwords, with how many times each asked. */
  const retainers = new Map<string, number>();
  const macKey = randomBytes(32);
  const sameSecret = (a: string, b: string) =>
    timingSafeEqual(createHmac('sha256', macKey).update(a).digest(), createHmac('sha256', macKey).update(b).digest());

  function expiryOf(session: Session): 'idle' | 'expired' | undefined {
    const settings = options.settings();
    const at = now();
    if (at - session.createdAt > settings.maxLifetimeMs) return 'expired';
    if (at - session.lastActiveAt > settings.idleTimeoutMs) return 'idle';
    return undefined;
  }

  async function remove(sessionId: string, reason: SessionRemoval['reason']): Promise<void> {
    // Only whoever actually deleted the session reports it, so concurrent sweeps fire the hook once.
    const removed = await options.storage().delete(sessionId);
    if (removed === undefined) return;
    logger.debug({ session: sessionId, context: removed.contextId, user: removed.userId, reason }, 'session removed');
    await options.onRemoved({ session: removed, reason });
  }

  async function evictFor(contextId: number, userId: number): Promise<void> {
    const max = options.settings().maxSessionsPerUser;
    if (max <= 0) return;
    const existing: Session[] = [];
    for (const session of await options.storage().listByUser(contextId, userId)) {
      const reason = expiryOf(session);
      if (reason === undefined) existing.push(session);
      else await remove(session.sessionId, reason);
    }
    if (existing.length < max) return;
    const oldestFirst = [...existing].sort((a, b) => a.createdAt - b.createdAt || a.lastActiveAt - b.lastActiveAt);
    for (const session of oldestFirst.slice(0, existing.length - max + 1)) await remove(session.sessionId, 'evicted');
  }

  async function live(sessionId: string): Promise<Session | undefined> {
    const session = await options.storage().get(sessionId);
    if (session === undefined) return undefined;
    const reason = expiryOf(session);
    if (reason === undefined) return session;
    await remove(sessionId, reason);
    return undefined;
  }

  const service: SessionServiceImpl = {
    async create(input) {
      const at = now();
      const hash = cookieHash(input.client, input.userAgent);
      const session: Session = {
        sessionId: randomToken(),
        secret: randomToken(),
        contextId: input.contextId,
        userId: input.userId,
        loginName: input.loginName,
        client: input.client,
        cookieHash: hash,
        createdAt: at,
        lastActiveAt: at,
        ip: input.ip,
        ...(input.userAgent !== undefined ? { userAgent: input.userAgent } : {}),
        ...(retainers.size > 0 && input.password !== undefined ? { password: input.password } : {}),
      };
      await evictFor(input.contextId, input.userId);
      await options.storage().put(session);
      logger.debug({ session: session.sessionId, context: session.contextId, user: session.userId, client: session.client }, 'session created');
      await options.onAdded(session);
      return session;
    },

    get: live,

    async validate(sessionId, cookies) {
      if (sessionId === undefined || sessionId === '') throw sessionExpired(sessionId);
      const session = await live(sessionId);
      if (session === undefined) throw sessionExpired(sessionId);
      const cookie = cookies[secretCookieName(session.cookieHash)];
      if (cookie === undefined || !sameSecret(cookie, session.secret)) throw secretMismatch(sessionId);
      const at = now();
      await options.storage().touch(sessionId, at);
      if (at > session.lastActiveAt) session.lastActiveAt = at;
      return session;
    },

    remove,

    async removeUser(contextId, userId, reason) {
      const sessions = await options.storage().listByUser(contextId, userId);
      for (const session of sessions) await remove(session.sessionId, reason);
      return sessions.length;
    },

    async listByUser(contextId, userId) {
      const sessions = await options.storage().listByUser(contextId, userId);
      return sessions.filter((session) => expiryOf(session) === undefined);
    },

    retainPasswords(owner) {
      retainers.set(owner, (retainers.get(owner) ?? 0) + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (retainers.get(owner) ?? 1) - 1;
        if (left > 0) retainers.set(owner, left);
        else retainers.delete(owner);
        if (retainers.size === 0) {
          // Nobody needs them any more: drop the passwords sessions still hold.
          options.storage().list().then(
            (sessions) => sessions.forEach((session) => delete session.password),
            (error: unknown) => logger.warn({ err: { message: (error as Error).message } }, 'could not drop retained session passwords'),
          );
        }
      };
    },

    cookieName: (session) => secretCookieName(session.cookieHash),

    async sweep() {
      let removed = 0;
      for (const session of await options.storage().list()) {
        const reason = expiryOf(session);
        if (reason === undefined) continue;
        await remove(session.sessionId, reason);
        removed++;
      }
      return removed;
    },

    expiryOf,
  };
  return service;
}
