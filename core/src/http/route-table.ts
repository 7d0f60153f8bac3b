import Router from 'find-my-way';
import type { HttpHandler, HttpMethod } from '@keel/plugin-sdk';

/** One REST route as a bundle registered it. */
export interface RouteEntry {
  readonly owner: string;
  readonly method: HttpMethod;
  readonly path: string;
  readonly handler: HttpHandler;
  readonly bodyLimit: number;
}

export type RouteLookup =
  | { readonly kind: 'found'; readonly entry: RouteEntry; readonly params: Readonly<Record<string, string>> }
  /** The path exists, but not for this method. */
  | { readonly kind: 'wrong-method'; readonly allowed: readonly HttpMethod[] }
  | { readonly kind: 'none' };

export interface RouteTable {
  /**
   * Adds routes or, for the same owner, replaces them (a restarted bundle registers again). Throws naming
   * both bundles when another bundle owns one of them, and then adds none.
   */
  add(entries: readonly RouteEntry[]): void;
  lookup(method: string, path: string): RouteLookup;
  /** Drops every route of a bundle. */
  removeOwner(owner: string): void;
}

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/**
 * REST routes in our own find-my-way router rather than fastify's: fastify refuses new routes once it
 * is ready, while bundles register theirs whenever they start, also long after the server listens.
 */
export function createRouteTable(): RouteTable {
  const router = Router({ ignoreTrailingSlash: true, caseSensitive: true });
  const byOwner = new Map<string, Set<RouteEntry>>();
  const noop = (): void => undefined;

  function existingOf(entry: RouteEntry): RouteEntry | undefined {
    // findRoute compares route shapes, so `/a/:id` and `/a/:cid` are recognised as the same route.
    return router.findRoute(entry.method, routerPath(entry.path))?.store as RouteEntry | undefined;
  }

  function add(entries: readonly RouteEntry[]): void {
    // Check every method first so a conflict never leaves half of a registration behind.
    for (const entry of entries) {
      const existing = existingOf(entry);
      if (existing !== undefined && existing.owner !== entry.owner) {
        throw new Error(
          `Route ${entry.method} ${entry.path} of bundle '${entry.owner}' conflicts with ${existing.method} ${existing.path} registered by bundle '${existing.owner}'; change one of the paths`,
        );
      }
    }
    for (const entry of entries) {
      const existing = existingOf(entry);
      if (existing !== undefined) {
        router.off(existing.method, routerPath(existing.path));
        byOwner.get(existing.owner)?.delete(existing);
      }
      router.on(entry.method, routerPath(entry.path), noop, entry);
      let owned = byOwner.get(entry.owner);
      if (owned === undefined) byOwner.set(entry.owner, (owned = new Set()));
      owned.add(entry);
    }
  }

  function find(method: HttpMethod, path: string): RouteLookup | undefined {
    const found = router.find(method, path);
    if (found === null) return undefined;
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(found.params)) if (value !== undefined) params[name] = value;
    return { kind: 'found', entry: found.store as RouteEntry, params };
  }

  function lookup(method: string, path: string): RouteLookup {
    if (METHODS.includes(method as HttpMethod)) {
      const hit = find(method as HttpMethod, path) ?? (method === 'HEAD' ? find('GET', path) : undefined);
      if (hit !== undefined) return hit;
    }
    const allowed = METHODS.filter((other) => router.find(other, path) !== null);
    if (allowed.includes('GET') && !allowed.includes('HEAD')) allowed.push('HEAD');
    return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'none' };
  }

  function removeOwner(owner: string): void {
    const owned = byOwner.get(owner);
    if (owned === undefined) return;
    for (const entry of owned) router.off(entry.method, routerPath(entry.path));
    byOwner.delete(owner);
  }

  return { add, lookup, removeOwner };
}

/**
 * With ignoreTrailingSlash find-my-way stores `/a/` as `/a` but findRoute does not strip the slash,
 * so `/a/` would be found nowhere and could not be replaced when its bundle restarts: strip it here.
 */
function routerPath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.replace(/\/+$/, '') || '/' : path;
}
