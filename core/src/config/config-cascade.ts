import type { CascadeSubject, ConfigCascade, ConfigScopeProvider, ConfigView } from '@keel/plugin-sdk';
import { CascadeView } from './cascade-view.js';
import { loadContextSets, mergeMatchingSets, type ContextSet, type ContextSetValue } from './context-sets.js';
import { loadFinality, type FinalScope } from './finality.js';
import { LruCache } from './lru-cache.js';
import type { ServerConfig } from './server-config.js';

export interface ConfigCascadeOptions {
  config: ServerConfig;
  /** The registered scope providers, asked in this order; called per load so late registrations count. */
  providers: () => readonly ConfigScopeProvider[];
  /** How long a subject's provider answers are reused (default 30 s; 0 turns caching off). */
  cacheTtlMs?: number;
  /** How many contexts, and separately how many users, are cached at most (default 10,000). */
  cacheSize?: number;
  /** Time source for the cache, in ms (default `Date.now`). */
  clock?: () => number;
}

export type ReloadableConfigCascade = ConfigCascade & {
  /** Re-reads `contextSets/` and `meta/` and drops every cached subject. Runs on every config reload by itself. */
  reload(): Promise<void>;
};

interface ContextScope {
  properties: ReadonlyMap<string, string>;
  sets: ReadonlyMap<string, ContextSetValue>;
}

/** A provider load shared by concurrent views; `value` is set once it resolved, for the sync fast path. */
interface Loading<V> {
  promise: Promise<V>;
  value?: V;
}

const NO_PROPERTIES: ReadonlyMap<string, string> = new Map();
const NO_TAGS: ReadonlySet<string> = new Set();
const NO_USER: Loading<ReadonlyMap<string, string>> = { promise: Promise.resolve(NO_PROPERTIES), value: NO_PROPERTIES };

function settled<V>(value: V): Loading<V> {
  return { promise: Promise.resolve(value), value };
}

/**
 * The config cascade over the server config, `<configdir>/contextSets/*.yml`, `<configdir>/meta/*.yml`
 * and the user/context scopes of every registered provider (the first provider that knows the
 * subject answers). Without providers, or for a context no provider knows, the context has no
 * properties and no tags (so sets like `!beta` still match). Provider answers are cached per
 * subject in an LRU with a TTL; concurrent views of one subject share one load.
 */
export function createConfigCascade(options: ConfigCascadeOptions): ReloadableConfigCascade {
  const { config } = options;
  const ttl = options.cacheTtlMs ?? 30_000;
  const size = options.cacheSize ?? 10_000;
  const clock = options.clock ?? Date.now;
  const contexts = new LruCache<number, Loading<ContextScope>>(size, ttl, clock);
  const users = new LruCache<string, Loading<ReadonlyMap<string, string>>>(size, ttl, clock);

  let sets: ContextSet[] = [];
  let finality: ReadonlyMap<string, FinalScope> = new Map();
  let unknownContext: Loading<ContextScope> = settled({ properties: NO_PROPERTIES, sets: new Map() });

  function load(): void {
    // Both read before either is swapped in, so a broken file leaves the previous state whole.
    const nextSets = loadContextSets(config.directory);
    const nextFinality = loadFinality(config.directory);
    sets = nextSets;
    finality = nextFinality;
    unknownContext = settled({ properties: NO_PROPERTIES, sets: mergeMatchingSets(sets, NO_TAGS) });
    contexts.clear();
    users.clear();
  }

  /** Caches a load under `key`; a failed load is forgotten so the next view retries it. */
  function remember<K, V>(cache: LruCache<K, Loading<V>>, key: K, promise: Promise<V>): Loading<V> {
    const loading: Loading<V> = { promise };
    cache.set(key, loading);
    promise.then(
      (value) => void (loading.value = value),
      () => {
        if (cache.peek(key) === loading) cache.delete(key);
      },
    );
    return loading;
  }

  function contextScope(contextId: number): Loading<ContextScope> {
    const providers = options.providers();
    if (providers.length === 0) return unknownContext;
    const cached = contexts.get(contextId);
    if (cached !== undefined) return cached;
    return remember(contexts, contextId, (async (): Promise<ContextScope> => {
      for (const provider of providers) {
        const answer = await provider.loadContext(contextId);
        if (answer !== undefined) return { properties: answer.properties, sets: mergeMatchingSets(sets, new Set(answer.tags)) };
      }
      return unknownContext.promise;
    })());
  }

  function userScope(contextId: number, userId: number): Loading<ReadonlyMap<string, string>> {
    const providers = options.providers();
    if (providers.length === 0) return NO_USER;
    const key = `${contextId}:${userId}`;
    const cached = users.get(key);
    if (cached !== undefined) return cached;
    return remember(users, key, (async () => {
      for (const provider of providers) {
        const answer = await provider.loadUser(contextId, userId);
        if (answer !== undefined) return answer;
      }
      return NO_PROPERTIES;
    })());
  }

  function makeView(subject: CascadeSubject, context: ContextScope, user: ReadonlyMap<string, string>): ConfigView {
    const { contextId, userId } = subject;
    const frozen: CascadeSubject = userId === undefined ? { contextId } : { contextId, userId };
    return new CascadeView(frozen, user, context.properties, context.sets, config, finality);
  }

  load();
  const cascade: ReloadableConfigCascade = {
    view(subject: CascadeSubject): Promise<ConfigView> {
      const { contextId, userId } = subject;
      let context: Loading<ContextScope>;
      let user: Loading<ReadonlyMap<string, string>>;
      try {
        context = contextScope(contextId);
        user = userId === undefined ? NO_USER : userScope(contextId, userId);
      } catch (error) {
        return Promise.reject(error); // e.g. from options.providers(): still a rejection, as for an async function
      }
      // Fast path: both scopes cached and loaded, no Promise.all round.
      if (context.value !== undefined && user.value !== undefined) return Promise.resolve(makeView(subject, context.value, user.value));
      return Promise.all([context.promise, user.promise]).then(([c, u]) => makeView(subject, c, u));
    },
    invalidate(subject?: CascadeSubject): void {
      if (subject === undefined) {
        contexts.clear();
        users.clear();
      } else if (subject.userId !== undefined) {
        users.delete(`${subject.contextId}:${subject.userId}`);
      } else {
        // A context-wide change (tags, context attributes) drops the context's users as well.
        contexts.delete(subject.contextId);
        const prefix = `${subject.contextId}:`;
        for (const key of [...users.keys()]) if (key.startsWith(prefix)) users.delete(key);
      }
    },
    async reload(): Promise<void> {
      load();
    },
  };
  config.onReload(() => cascade.reload());
  return cascade;
}
