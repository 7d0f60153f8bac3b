import type { SocketIoAdapterProvider, ServiceTracker } from '@keel/plugin-sdk';

/**
 * Follows the highest-ranked Socket.IO adapter provider and calls `rebuild` whenever it changes
 * (appears, goes, or another one outranks it). Rebuilds run one after the other; a burst of
 * changes ends in one rebuild with the provider current at that moment.
 */
export function followAdapter(
  tracker: ServiceTracker<SocketIoAdapterProvider>,
  rebuild: (provider: SocketIoAdapterProvider | undefined) => Promise<void>,
  onError: (error: unknown) => void,
): { readonly current: SocketIoAdapterProvider | undefined; settled(): Promise<void>; close(): void } {
  let current = tracker.get();
  let queue: Promise<void> = Promise.resolve();
  let closed = false;

  const unsubscribe = tracker.subscribe(() => {
    if (closed) return;
    queue = queue.then(async () => {
      const wanted = tracker.get();
      if (closed || wanted === current) return;
      current = wanted;
      await rebuild(wanted);
    }).catch(onError);
  });

  return {
    get current() {
      return current;
    },
    settled: () => queue,
    close() {
      closed = true;
      unsubscribe();
    },
  };
}
