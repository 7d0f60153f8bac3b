import { keelError } from '../errors.js';
import type { ActionEntry, ActionTable } from './action-table.js';
import type { RouteEntry, RouteTable } from './route-table.js';

/** What a request was routed to, decided once before its body is read (the body limit depends on it). */
export type Resolution =
  | { readonly kind: 'route'; readonly entry: RouteEntry; readonly path: string; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'action'; readonly entry: ActionEntry; readonly path: string };

export interface RoutingTables {
  readonly routes: RouteTable;
  readonly actions: ActionTable;
  readonly apiPrefix: string;
}

/** The low-cardinality name of what a request was routed to: the route pattern or `<module>?action=<action>`. */
export function patternOf(resolution: Resolution): string {
  return resolution.kind === 'route' ? resolution.entry.path : resolution.entry.pattern;
}

/** The path of a request URL without its query string. */
export function pathOf(url: string): string {
  const mark = url.indexOf('?');
  return mark < 0 ? url : url.slice(0, mark);
}

/** The module named by a path under the API prefix (`/appsuite/api/mail/` → `mail`), if it is one. */
export function moduleOf(path: string, apiPrefix: string): string | undefined {
  if (!path.startsWith(`${apiPrefix}/`)) return undefined;
  const raw = path.slice(apiPrefix.length + 1).replace(/\/+$/, '');
  if (raw === '') return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Routes a request: a registered module under the API prefix wins (module names such as `oauth/accounts`
 * may contain slashes), then REST routes. Throws the KeelError the client should see when nothing fits.
 */
export function resolveRequest(tables: RoutingTables, method: string, url: string, action: string | undefined): Resolution {
  const path = pathOf(url);
  const module = moduleOf(path, tables.apiPrefix);
  if (module !== undefined && tables.actions.hasModule(module)) return resolveAction(tables, module, method, path, action);

  const found = tables.routes.lookup(method, path);
  if (found.kind === 'found') return { kind: 'route', entry: found.entry, path, params: found.params };
  if (found.kind === 'wrong-method') {
    throw keelError('KEEL-HTTP-METHOD', { method, path }, { headers: { allow: found.allowed.join(', ') } });
  }
  if (module !== undefined) throw keelError('KEEL-HTTP-UNKNOWN-MODULE', { module });
  throw keelError('KEEL-HTTP-NOT-FOUND', { method, path });
}

function resolveAction(tables: RoutingTables, module: string, method: string, path: string, action: string | undefined): Resolution {
  if (action === undefined || action === '') throw keelError('KEEL-HTTP-MISSING-ACTION', { module });
  const entry = tables.actions.lookup(module, action);
  if (entry === undefined) throw keelError('KEEL-HTTP-UNKNOWN-ACTION', { action, module });
  if (!(entry.methods as readonly string[]).includes(method)) {
    throw keelError('KEEL-HTTP-METHOD', { method, path: `${path}?action=${action}` }, { headers: { allow: entry.methods.join(', ') } });
  }
  return { kind: 'action', entry, path };
}
