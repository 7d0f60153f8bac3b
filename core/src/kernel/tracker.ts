import type { PropertyFilter, ServiceEntry, ServiceRef, ServiceTracker, TrackerEvent } from '@keel/plugin-sdk';
import type { KernelRegistry } from './registry.js';

/** A live view of one ref's providers; subscriptions end with `close()` (the owning bundle's stop). */
export function createTracker<T>(registry: KernelRegistry, ref: ServiceRef<T>): ServiceTracker<T> & { close(): void } {
  const unsubscribers = new Set<() => void>();
  return {
    get: (filter?: PropertyFilter) => registry.get(ref, filter),
    all: (filter?: PropertyFilter) => registry.getAll(ref, filter),
    entries: (filter?: PropertyFilter) => registry.entries(ref, filter),
    subscribe(listener: (event: TrackerEvent<T>) => void) {
      const stop = registry.listen(ref.id, (event) => {
        // Only providers in the consumer's version range are visible.
        const visible = registry.entries(ref).some((entry: ServiceEntry<T>) => entry.serviceId === event.entry.serviceId);
        if (visible || event.type === 'removed') listener(event as TrackerEvent<T>);
      });
      for (const entry of registry.entries(ref)) listener({ type: 'added', entry });
      const unsubscribe = () => {
        stop();
        unsubscribers.delete(unsubscribe);
      };
      unsubscribers.add(unsubscribe);
      return unsubscribe;
    },
    close() {
      for (const unsubscribe of [...unsubscribers]) unsubscribe();
    },
  };
}
