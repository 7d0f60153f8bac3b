import type { ServiceRef } from '../service-ref.js';

export type ServiceProperties = Readonly<Record<string, unknown>>;

export interface RegisterOptions {
  /** Higher wins for `get`; ties go to the first registered (lowest service id), as in OSGi. Default 0. */
  ranking?: number;
  /** Free-form metadata consumers can filter on (`{ transport: 'websocket' }`). */
  properties?: Record<string, unknown>;
}

export interface ServiceRegistration {
  readonly serviceId: number;
  /** Changes ranking and/or properties; trackers see a `modified` event. */
  update(options: RegisterOptions): void;
  /** Withdraws the service; trackers see `removed`. Done automatically when the bundle stops. */
  unregister(): void;
}

export interface ServiceEntry<T> {
  readonly serviceId: number;
  readonly bundle: string;
  readonly ranking: number;
  readonly properties: ServiceProperties;
  readonly version: string;
  readonly service: T;
}

export type TrackerEvent<T> =
  | { type: 'added'; entry: ServiceEntry<T> }
  | { type: 'modified'; entry: ServiceEntry<T> }
  | { type: 'removed'; entry: ServiceEntry<T> };

/** Simple matching: every key given must equal the service's property (arrays: the value must be included). */
export type PropertyFilter = Record<string, unknown>;

/**
 * A live view of the providers of one ref: what an `optional` or `multiple` dependency gives a
 * bundle. Providers come and go at runtime; read it when you need it rather than caching it.
 */
export interface ServiceTracker<T> {
  /** The highest-ranked provider, or undefined. */
  get(filter?: PropertyFilter): T | undefined;
  /** Every provider in ranking order (highest first, ties by registration order). */
  all(filter?: PropertyFilter): T[];
  entries(filter?: PropertyFilter): ServiceEntry<T>[];
  /** Listens for added / modified / removed; replays `added` for current providers. Returns an unsubscribe. Removed when the bundle stops. */
  subscribe(listener: (event: TrackerEvent<T>) => void): () => void;
}

/** The registry as bundles see it (bundle-scoped: registrations are withdrawn when the bundle stops). */
export interface ServiceRegistry {
  register<T>(ref: ServiceRef<T>, service: T, options?: RegisterOptions): ServiceRegistration;
  get<T>(ref: ServiceRef<T>, filter?: PropertyFilter): T | undefined;
  getAll<T>(ref: ServiceRef<T>, filter?: PropertyFilter): T[];
  track<T>(ref: ServiceRef<T>): ServiceTracker<T>;
}
