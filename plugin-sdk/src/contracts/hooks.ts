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

export interface KernelHooks {
  bundleResolved: import('tapable').SyncHook<[BundleInfo]>;
  bundleStarted: import('tapable').SyncHook<[BundleInfo]>;
  bundleStopped: import('tapable').SyncHook<[BundleInfo]>;
  bundleFailed: import('tapable').SyncHook<[BundleInfo, Error]>;
  serviceRegistered: import('tapable').SyncHook<[{ id: string; bundle: string; serviceId: number }]>;
  serviceUnregistered: import('tapable').SyncHook<[{ id: string; bundle: string; serviceId: number }]>;
  /** After `keel reload` re-read the configuration. */
  configReloaded: import('tapable').AsyncSeriesHook<[]>;
}
