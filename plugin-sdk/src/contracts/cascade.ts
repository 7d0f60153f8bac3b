/**
 * The config cascade: a property is looked up for a (context, user) from the most specific scope
 * down: user → context → context sets → server. A value may be declared final at a scope
 * (`config/meta/*.yml`: `<property>: { final: server | contextSets | context }`); the more specific
 * scopes are then not consulted.
 */
export type CascadeScope = 'user' | 'context' | 'contextSets' | 'server';

export interface CascadeSubject {
  contextId: number;
  /** Omitted for a context-wide view. */
  userId?: number;
}

export interface CascadeValue {
  scope: CascadeScope;
  value: string;
  /** `contextSets` only: which set gave the value. */
  source?: string;
}

/** All scopes of one (context, user), loaded once: lookups on a view are synchronous and cheap. */
export interface ConfigView {
  readonly subject: CascadeSubject;
  /** The winning value, or undefined. */
  get(property: string): string | undefined;
  getBoolean(property: string, fallback: boolean): boolean;
  getNumber(property: string, fallback: number): number;
  getList(property: string, fallback?: readonly string[]): string[];
  /**
   * Suffix fallback for per-client, per-topic switches: tries `base.client.topic`, then
   * `base.client`, then `base`, each through the whole cascade, and returns the first value found.
   * E.g. `switchFor('com.openexchange.pns.transport.websocket.enabled', true, 'open-xchange-appsuite', 'ox:mail:new')`.
   */
  switchFor(base: string, fallback: boolean, ...suffixes: string[]): boolean;
  /** Every scope's value for a property, most specific first, and the winner (for the admin inspector). */
  explain(property: string): { winner?: CascadeValue; values: CascadeValue[]; finalAt?: CascadeScope };
}

export interface ConfigCascade {
  /** Loads the user, context and context-set scopes (cached by their providers) for one subject. */
  view(subject: CascadeSubject): Promise<ConfigView>;
  /** Drops cached scopes, e.g. after an admin changed a user's or a context's config attributes. */
  invalidate(subject?: CascadeSubject): void;
}

/**
 * Registered by a storage bundle (multiple ref `config.scope-provider`) to supply the user and
 * context scopes. Values are the stored attributes `config/<property>` with the prefix removed.
 */
export interface ConfigScopeProvider {
  /** Config attributes and tags (`taxonomy/types`) of a context, undefined when the context is unknown. */
  loadContext(contextId: number): Promise<{ properties: ReadonlyMap<string, string>; tags: readonly string[] } | undefined>;
  /** Config attributes of a user, undefined when unknown. */
  loadUser(contextId: number, userId: number): Promise<ReadonlyMap<string, string> | undefined>;
}
