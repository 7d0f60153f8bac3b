import { shuttingDown } from './errors.js';

/**
 * Work done after the answer: at most `concurrency` notifications are routed at once. When more
 * than `maxQueued` wait, `accept` waits too, so an overloaded node slows Dovecot down (it retries
 * once after 2 s) instead of growing memory without bound.
 */
export interface RoutingQueue<T> {
  /** Resolves once the item is queued (at once unless the queue is full). */
  accept(item: T): Promise<void>;
  readonly queued: number;
  readonly active: number;
  /** Resolves when everything queued so far is done. */
  idle(): Promise<void>;
  /** From now on `accept` refuses (shutdown): what `idle` waits for is then all there will be. */
  close(): void;
}

export function createRoutingQueue<T>(options: { concurrency: number; maxQueued: number; work: (item: T) => Promise<void> }): RoutingQueue<T> {
  const items: T[] = [];
  const roomWaiters: Array<() => void> = [];
  const idleWaiters: Array<() => void> = [];
  let active = 0;
  let closed = false;

  const pump = () => {
    while (active < options.concurrency && items.length > 0) {
      const item = items.shift()!;
      active++;
      roomWaiters.shift()?.();
      void options.work(item).catch(() => undefined).finally(() => {
        active--;
        pump();
      });
    }
    if (active === 0 && items.length === 0) idleWaiters.splice(0).forEach((resolve) => resolve());
  };

  return {
    async accept(item) {
      if (closed) throw shuttingDown();
      while (items.length >= options.maxQueued) await new Promise<void>((resolve) => roomWaiters.push(resolve));
      items.push(item);
      pump();
    },
    get queued() {
      return items.length;
    },
    get active() {
      return active;
    },
    idle: () => (active === 0 && items.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    close() {
      closed = true;
    },
  };
}
