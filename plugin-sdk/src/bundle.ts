import type { ServiceRef } from './service-ref.js';
import type { ConfigCascade } from './contracts/cascade.js';
import type { ConfigService } from './contracts/config.js';
import type { BundleHooks } from './contracts/hooks.js';
import type { HttpService } from './contracts/http.js';
import type { KernelControl, Lifecycle } from './contracts/lifecycle.js';
import type { Logger } from './contracts/logger.js';
import type { RegisterOptions, ServiceRegistration, ServiceRegistry, ServiceTracker } from './contracts/registry.js';
import type { Scheduler } from './contracts/scheduler.js';

export type RefRecord = Record<string, ServiceRef<any, boolean>>;

/** Required refs: a single ref gives the service itself, a multiple ref a live tracker (at least one provider). */
export type RequiredServices<R extends RefRecord> = {
  [K in keyof R]: R[K] extends ServiceRef<infer T, true> ? ServiceTracker<T> : R[K] extends ServiceRef<infer T, false> ? T : never;
};

/** Optional refs always give a live tracker: the provider may come and go while the bundle runs. */
export type OptionalServices<O extends RefRecord> = {
  [K in keyof O]: O[K] extends ServiceRef<infer T, boolean> ? ServiceTracker<T> : never;
};

/** Everything a bundle's `start()` receives. */
export interface BundleContext<R extends RefRecord = RefRecord, O extends RefRecord = RefRecord> {
  /** Name and version from the bundle's package.json. */
  readonly bundle: { readonly name: string; readonly version: string; readonly directory: string };
  /** Required services (resolved before start, stable while the bundle is ACTIVE) and optional trackers. */
  readonly services: RequiredServices<R> & OptionalServices<O>;
  /** Registers a service this bundle provides; it must be listed in `provides`. Withdrawn on stop. */
  register<T>(ref: ServiceRef<T>, service: T, options?: RegisterOptions): ServiceRegistration;
  /** The registry, for lookups beyond the declared dependencies (bundle-scoped). */
  readonly registry: ServiceRegistry;
  readonly hooks: BundleHooks;
  readonly config: ConfigService;
  readonly cascade: ConfigCascade;
  /** A child logger tagged `{ bundle: name }`. */
  readonly logger: Logger;
  readonly http: HttpService;
  readonly scheduler: Scheduler;
  readonly lifecycle: Lifecycle;
  /** Runtime control of the kernel (bundles, services, reload); used by the admin bundle. */
  readonly kernel: KernelControl;
}

export type StopFunction = () => void | Promise<void>;

export interface BundleDefinition<R extends RefRecord = RefRecord, O extends RefRecord = RefRecord> {
  /** Refs this bundle registers. Needed before start so the kernel can order bundles. */
  provides?: readonly ServiceRef<any, boolean>[];
  /** Refs that must have a provider in range; without one the bundle is not started. */
  requires?: R;
  /** Refs used when present. */
  optional?: O;
  /** Starts the bundle; may return a function that stops it. Runs under the kernel's start timeout. */
  start(context: BundleContext<R, O>): void | StopFunction | Promise<void | StopFunction>;
}

/** The brand the kernel checks to recognise an activator's default export. */
export const BUNDLE_BRAND = Symbol.for('keel.bundle-definition');

export interface DefinedBundle<R extends RefRecord = RefRecord, O extends RefRecord = RefRecord> extends BundleDefinition<R, O> {
  readonly [BUNDLE_BRAND]: true;
}

/**
 * Declares a bundle. The activator module (the `keel.activator` of package.json) default-exports the result:
 *
 * ```ts
 * export default defineBundle({
 *   provides: [contactStorageRef],
 *   requires: { database: databaseRef },
 *   async start({ services, register, logger }) {
 *     register(contactStorageRef, createLdapContactStorage(services.database), { ranking: 100 });
 *   },
 * });
 * ```
 */
export function defineBundle<R extends RefRecord = {}, O extends RefRecord = {}>(definition: BundleDefinition<R, O>): DefinedBundle<R, O> {
  if (typeof definition.start !== 'function') throw new TypeError('defineBundle: start must be a function');
  return Object.freeze({ ...definition, [BUNDLE_BRAND]: true as const });
}

export function isDefinedBundle(value: unknown): value is DefinedBundle {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BUNDLE_BRAND] === true;
}
