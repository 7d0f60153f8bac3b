import { AsyncSeriesHook } from 'tapable';
import { createHookRef } from './hooks.js';
import { createServiceRef } from '../service-ref.js';

/** A login session. The `secret` travels in the `open-xchange-secret-<hash>` cookie. */
export interface Session {
  sessionId: string;
  secret: string;
  contextId: number;
  userId: number;
  /** The name the user logged in with. */
  loginName: string;
  /** Client id sent at login, e.g. `open-xchange-appsuite`, `USM-EAS`. */
  client: string;
  /** Suffix of the secret cookie name (`open-xchange-secret-<cookieHash>`). */
  cookieHash: string;
  createdAt: number;
  lastActiveAt: number;
  ip: string;
  userAgent?: string;
  /**
   * The login password, kept in memory only while some bundle asked for it through
   * `SessionService.retainPasswords` (mail push credential storage). Never logged or serialised in clear.
   */
  password?: string;
}

export interface SessionRemoval { session: Session; reason: 'logout' | 'idle' | 'expired' | 'admin' | 'user-deleted' | 'evicted' }

/**
 * Where sessions live. sessiond keeps them in memory; a cluster bundle registers a shared one with
 * a higher ranking so every node sees every session.
 */
export interface SessionStorage {
  put(session: Session): Promise<void>;
  get(sessionId: string): Promise<Session | undefined>;
  /** Updates lastActiveAt (cheap; called on every request). */
  touch(sessionId: string, at: number): Promise<void>;
  delete(sessionId: string): Promise<Session | undefined>;
  listByUser(contextId: number, userId: number): Promise<Session[]>;
  /** Every session (admin views, idle sweeps): bounded by the number of sessions. */
  list(): Promise<Session[]>;
  count(): Promise<number>;
  /**
   * Sessions removed elsewhere (another node, an expiry in the store). Storages that can observe
   * remote removals call the listener; the in-memory storage does not need to.
   */
  onRemoved?(listener: (removal: SessionRemoval) => void): () => void;
}

/** Errors: `SES-0203` unknown or expired session (401), `SES-0205` secret cookie missing or wrong (403). */
export interface SessionService {
  create(input: { contextId: number; userId: number; loginName: string; client: string; ip: string; userAgent?: string; password?: string }): Promise<Session>;
  get(sessionId: string): Promise<Session | undefined>;
  /**
   * Checks a request's session id and secret cookie and touches the session. Throws the SES errors.
   * `cookies` are the request's cookies; the matching `open-xchange-secret-<hash>` one is used.
   */
  validate(sessionId: string | undefined, cookies: Readonly<Record<string, string>>): Promise<Session>;
  remove(sessionId: string, reason: SessionRemoval['reason']): Promise<void>;
  removeUser(contextId: number, userId: number, reason: SessionRemoval['reason']): Promise<number>;
  listByUser(contextId: number, userId: number): Promise<Session[]>;
  /** Asks that new sessions keep the login password in memory while `owner` is active; returns a release function. */
  retainPasswords(owner: string): () => void;
  /** The secret cookie's name for a session. */
  cookieName(session: Session): string;
}

export const sessionStorageRef = createServiceRef<SessionStorage>({ id: 'sessions.storage', version: '1.0.0' });
export const sessionServiceRef = createServiceRef<SessionService>({ id: 'sessions.service', version: '1.0.0' });

/** After a session was created (mail push starts session-bound listeners here). */
export const sessionAddedHook = createHookRef({ id: 'sessions.added', create: () => new AsyncSeriesHook<[Session]>(['session']) });
/** After a session ended, for any reason, on any node. */
export const sessionRemovedHook = createHookRef({ id: 'sessions.removed', create: () => new AsyncSeriesHook<[SessionRemoval]>(['removal']) });
