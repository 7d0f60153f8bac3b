import type { Hook } from 'tapable';
import type { BundleInfo } from './lifecycle.js';

/**
 * An extension point declared in the SDK (or a bundle's contract package): a typed tapable hook
 * identified by id. The kernel creates the hook once, on first use, with `create`.
 *
 * ```ts
 * export const authenticateHook = createHookRef({
 *   id: 'auth.authenticate',
 *   create: () => new AsyncSeriesBailHook<[Credentials], AuthResult | undefined>(['credentials']),
 * });
 * ```
 */
export interface HookRef<H extends Hook<any, any>> {
  readonly id: string;
  readonly create: () => H;
}

export function createHookRef<H extends Hook<any, any>>(options: { id: string; create: () => H }): HookRef<H> {
  return Object.freeze({ id: options.id, create: options.create });
}

/**
 * Hooks as a bundle sees them. Taps made through `tap`/`tapAsync`/`tapPromise` of a hook obtained
 * here are named after the bundle and stop running when the bundle stops.
 */
export interface BundleHooks {
  /** The kernel's own events. */
  readonly kernel: KernelHooks;
  /** The extension point behind a ref (created on first use). */
  get<H extends Hook<any, any>>(ref: HookRef<H>): H;
}

/**
 * One completed HTTP request, as the `requestCompleted` kernel hook reports it. Every field comes from
 * a small set, so it can be a metric label as it is.
 */
export interface RequestTiming {
  readonly method: string;
  /**
   * The route *pattern*, never the raw URL: `/admin/v1/bundles/:name` for REST routes,
   * `<module>?action=<action>` for module actions, `/health…` paths as they are, `raw` for requests a
   * bundle's raw listener took over (Socket.IO long polling), and `unmatched` for everything that was
   * not routed (404, 405, unknown modules and actions).
   */
  readonly route: string;
  readonly status: number;
  /** From the arrival of the request to the end of the response. */
  readonly seconds: number;
  /** The bundle that served it, when one did. */
  readonly bundle?: string;
}

export interface KernelHooks {
  bundleResolved: import('tapable').SyncHook<[BundleInfo]>;
  bundleStarted: import('tapable').SyncHook<[BundleInfo]>;
  bundleStopped: import('tapable').SyncHook<[BundleInfo]>;
  bundleFailed: import('tapable').SyncHook<[BundleInfo, Error]>;
  serviceRegistered: import('tapable').SyncHook<[{ id: string; bundle: string; serviceId: number }]>;
  serviceUnregistered: import('tapable').SyncHook<[{ id: string; bundle: string; serviceId: number }]>;
  /** After `keel reload` re-read the configuration. */
  configReloaded: import('tapable').AsyncSeriesHook<[]>;
  /**
   * Once per completed HTTP request, after the response was sent. Runs on every request: taps must be
   * cheap and synchronous (the metrics bundle observes a histogram). Not called while nothing taps it.
   */
  requestCompleted: import('tapable').SyncHook<[RequestTiming]>;
}
