import semver from 'semver';
import type { PropertyFilter, RegisterOptions, ServiceEntry, ServiceRef, TrackerEvent } from '@keel/plugin-sdk';

/** One registration, mutable inside the registry only. */
interface Slot {
  serviceId: number;
  refId: string;
  bundle: string;
  version: string;
  ranking: number;
  properties: Readonly<Record<string, unknown>>;
  service: unknown;
}

type Listener = (event: TrackerEvent<unknown>) => void;

export interface KernelRegistry {
  register<T>(bundle: string, ref: ServiceRef<T>, service: T, options?: RegisterOptions): { serviceId: number; update(options: RegisterOptions): void; unregister(): void };
  get<T>(ref: ServiceRef<T>, filter?: PropertyFilter): T | undefined;
  getAll<T>(ref: ServiceRef<T>, filter?: PropertyFilter): T[];
  entries<T>(ref: ServiceRef<T>, filter?: PropertyFilter): ServiceEntry<T>[];
  /** Listens for events on one ref id; returns an unsubscribe. Does not replay. */
  listen(refId: string, listener: Listener): () => void;
  unregisterBundle(bundle: string): void;
  /** Every registration with its ref id, for the admin view. */
  list(): Array<ServiceEntry<unknown> & { id: string }>;
  /** Whether any provider in range of `ref` is registered. */
  has(ref: ServiceRef<unknown>): boolean;
}

export interface RegistryEvents {
  onRegistered?(info: { id: string; bundle: string; serviceId: number }): void;
  onUnregistered?(info: { id: string; bundle: string; serviceId: number }): void;
}

/**
 * The service registry, OSGi rules: `get` is the highest ranking provider, ties go to the lowest
 * service id (registered first). A consumer only sees providers whose version is in the caret range
 * of its ref's version.
 */
export function createRegistry(events: RegistryEvents = {}): KernelRegistry {
  let nextServiceId = 1;
  const byRef = new Map<string, Slot[]>();
  const listeners = new Map<string, Set<Listener>>();
  const compatible = new Map<string, boolean>();

  function inRange(providerVersion: string, consumerVersion: string): boolean {
    if (providerVersion === consumerVersion) return true;
    const key = `${providerVersion}|${consumerVersion}`;
    let answer = compatible.get(key);
    if (answer === undefined) {
      answer = semver.satisfies(providerVersion, `^${consumerVersion}`, { includePrerelease: true });
      compatible.set(key, answer);
    }
    return answer;
  }

  function sort(slots: Slot[]): void {
    slots.sort((a, b) => b.ranking - a.ranking || a.serviceId - b.serviceId);
  }

  function toEntry<T>(slot: Slot): ServiceEntry<T> {
    return { serviceId: slot.serviceId, bundle: slot.bundle, ranking: slot.ranking, properties: slot.properties, version: slot.version, service: slot.service as T };
  }

  function emit(refId: string, event: TrackerEvent<unknown>): void {
    const set = listeners.get(refId);
    if (!set) return;
    for (const listener of [...set]) listener(event);
  }

  function select(ref: ServiceRef<unknown>, filter: PropertyFilter | undefined): Slot[] {
    const slots = byRef.get(ref.id);
    if (!slots) return [];
    return slots.filter((slot) => inRange(slot.version, ref.version) && matches(slot.properties, filter));
  }

  function remove(slot: Slot): void {
    const slots = byRef.get(slot.refId);
    if (!slots) return;
    const index = slots.indexOf(slot);
    if (index < 0) return;
    slots.splice(index, 1);
    if (slots.length === 0) byRef.delete(slot.refId);
    emit(slot.refId, { type: 'removed', entry: toEntry(slot) });
    events.onUnregistered?.({ id: slot.refId, bundle: slot.bundle, serviceId: slot.serviceId });
  }

  return {
    register(bundle, ref, service, options = {}) {
      const slot: Slot = {
        serviceId: nextServiceId++,
        refId: ref.id,
        bundle,
        version: ref.version,
        ranking: options.ranking ?? 0,
        properties: Object.freeze({ ...options.properties }),
        service,
      };
      const slots = byRef.get(ref.id) ?? [];
      slots.push(slot);
      sort(slots);
      byRef.set(ref.id, slots);
      emit(ref.id, { type: 'added', entry: toEntry(slot) });
      events.onRegistered?.({ id: ref.id, bundle, serviceId: slot.serviceId });
      return {
        serviceId: slot.serviceId,
        update(update: RegisterOptions) {
          if (update.ranking !== undefined) slot.ranking = update.ranking;
          if (update.properties !== undefined) slot.properties = Object.freeze({ ...update.properties });
          const current = byRef.get(ref.id);
          if (!current?.includes(slot)) return;
          sort(current);
          emit(ref.id, { type: 'modified', entry: toEntry(slot) });
        },
        unregister() {
          remove(slot);
        },
      };
    },

    get<T>(ref: ServiceRef<T>, filter?: PropertyFilter): T | undefined {
      const slots = byRef.get(ref.id);
      if (!slots) return undefined;
      // Fast path: slots are kept sorted, so the first compatible match wins.
      for (const slot of slots) {
        if (inRange(slot.version, ref.version) && matches(slot.properties, filter)) return slot.service as T;
      }
      return undefined;
    },

    getAll<T>(ref: ServiceRef<T>, filter?: PropertyFilter): T[] {
      return select(ref, filter).map((slot) => slot.service as T);
    },

    entries<T>(ref: ServiceRef<T>, filter?: PropertyFilter): ServiceEntry<T>[] {
      return select(ref, filter).map((slot) => toEntry<T>(slot));
    },

    listen(refId, listener) {
      let set = listeners.get(refId);
      if (!set) listeners.set(refId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },

    unregisterBundle(bundle) {
      // LIFO: what registered last goes first.
      const owned = [...byRef.values()].flat().filter((slot) => slot.bundle === bundle).sort((a, b) => b.serviceId - a.serviceId);
      for (const slot of owned) remove(slot);
    },

    list() {
      return [...byRef.entries()].flatMap(([id, slots]) => slots.map((slot) => ({ ...toEntry(slot), id })));
    },

    has(ref) {
      return this.get(ref) !== undefined;
    },
  };
}

/** Simple property matching: each filter key must equal the property, or be included when the property is an array. */
export function matches(properties: Readonly<Record<string, unknown>>, filter: PropertyFilter | undefined): boolean {
  if (!filter) return true;
  for (const key of Object.keys(filter)) {
    const expected = filter[key];
    const actual = properties[key];
    if (Array.isArray(actual) ? !actual.includes(expected) : actual !== expected) return false;
  }
  return true;
}
