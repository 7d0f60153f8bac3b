import { AsyncSeriesHook } from 'tapable';
import { createHookRef } from './hooks.js';
import { createServiceRef } from '../service-ref.js';

/** A tenant. `loginMappings` are the names users log in with (`user@<mapping>`), such as domains. */
export interface Context {
  id: number;
  name: string;
  enabled: boolean;
  loginMappings: string[];
  /** Free attributes, e.g. `taxonomy/types` = `gold,eu` (the tags matched by context sets). */
  attributes: Record<string, string>;
  /** Config cascade values of the context scope (stored as attributes `config/<property>`). */
  config: Record<string, string>;
}

export interface User {
  contextId: number;
  id: number;
  login: string;
  displayName: string;
  /** Primary mail address. */
  email: string;
  aliases: string[];
  enabled: boolean;
  attributes: Record<string, string>;
  /** Config cascade values of the user scope. */
  config: Record<string, string>;
  /** Where the user came from: `local`, `ldap`, `appintegration` … */
  source: string;
  /** Distinguished name when the user came from LDAP. */
  externalDn?: string;
}

export interface Page { offset?: number; limit?: number }

export interface ContextCreate { id?: number; name: string; loginMappings?: string[]; enabled?: boolean; attributes?: Record<string, string> }
export interface ContextUpdate { name?: string; loginMappings?: string[]; enabled?: boolean; attributes?: Record<string, string | null> }

export interface UserCreate {
  login: string;
  /** Plain password, stored as a scrypt hash. Omitted for users that authenticate elsewhere (LDAP). */
  password?: string;
  displayName: string;
  email: string;
  aliases?: string[];
  enabled?: boolean;
  attributes?: Record<string, string>;
  source?: string;
  externalDn?: string;
}
export interface UserUpdate { displayName?: string; email?: string; aliases?: string[]; enabled?: boolean; attributes?: Record<string, string | null>; externalDn?: string | null }

/** Config attribute changes: values to set and names to remove. */
export interface ConfigChange { set?: Record<string, string>; remove?: string[] }

/**
 * Contexts (tenants). Errors: `CTX-0001` unknown context (404), `CTX-0002` duplicate id or login
 * mapping (409), `CTX-0003` invalid input (400).
 */
export interface ContextService {
  create(input: ContextCreate): Promise<Context>;
  get(contextId: number): Promise<Context | undefined>;
  /** Like get, but throws CTX-0001. */
  require(contextId: number): Promise<Context>;
  list(page?: Page): Promise<Context[]>;
  update(contextId: number, update: ContextUpdate): Promise<Context>;
  setConfig(contextId: number, change: ConfigChange): Promise<Context>;
  /** Deletes the context and all its users (hooks fire for each user). */
  delete(contextId: number): Promise<void>;
  /** The context a login mapping (`example.com`) belongs to. */
  findByLoginMapping(mapping: string): Promise<Context | undefined>;
  /** The context for logins without `@mapping` (property `keel.login.defaultContext`, else the mapping `defaultcontext`). */
  defaultContext(): Promise<Context | undefined>;
}

/**
 * Users of a context. Errors: `USR-0001` unknown user (404), `USR-0002` duplicate login or mail (409),
 * `USR-0003` invalid input such as a malformed mail address or an oversized field (400).
 */
export interface UserService {
  create(contextId: number, input: UserCreate): Promise<User>;
  get(contextId: number, userId: number): Promise<User | undefined>;
  require(contextId: number, userId: number): Promise<User>;
  findByLogin(contextId: number, login: string): Promise<User | undefined>;
  /** By primary address or alias, case-insensitive. */
  findByMail(contextId: number, address: string): Promise<User | undefined>;
  list(contextId: number, page?: Page): Promise<User[]>;
  /** Every user of a context in id order without holding them all in memory. */
  stream(contextId: number, batchSize?: number): AsyncIterable<User>;
  count(contextId: number): Promise<number>;
  update(contextId: number, userId: number, update: UserUpdate): Promise<User>;
  setPassword(contextId: number, userId: number, password: string): Promise<void>;
  /**
   * Constant-time scrypt check; false for unknown users, disabled users and users without a local password.
   * With `includeDisabled` a disabled user's (or a disabled context's user's) password is checked too, so
   * the login can answer "account disabled" (LGI-0010) only to someone who knows the password.
   */
  verifyPassword(contextId: number, userId: number, password: string, options?: { includeDisabled?: boolean }): Promise<boolean>;
  setConfig(contextId: number, userId: number, change: ConfigChange): Promise<User>;
  delete(contextId: number, userId: number): Promise<void>;
}

export const contextServiceRef = createServiceRef<ContextService>({ id: 'directory.contexts', version: '1.0.0' });
export const userServiceRef = createServiceRef<UserService>({ id: 'directory.users', version: '1.0.0' });

export interface UserEvent { contextId: number; userId: number }

/** After a user was deleted (credential storage and push registrations clean up here). */
export const userDeletedHook = createHookRef({ id: 'directory.user-deleted', create: () => new AsyncSeriesHook<[UserEvent]>(['event']) });
/** After a user's password changed; carries the new password for credential storage. Never log it. */
export const userPasswordChangedHook = createHookRef({
  id: 'directory.user-password-changed',
  create: () => new AsyncSeriesHook<[UserEvent & { password: string }]>(['event']),
});
/** After a user's or context's data or config attributes changed (caches drop entries here). */
export const directoryChangedHook = createHookRef({
  id: 'directory.changed',
  create: () => new AsyncSeriesHook<[{ contextId: number; userId?: number }]>(['event']),
});
