/**
 * Spreads connection attempts out: at most `maxConcurrent` run at once and, with `perSecond` > 0,
 * starts are spaced 1000/perSecond ms apart. A node start with thousands of listeners, or a server
 * restart that drops them all, then reaches the IMAP server as a steady trickle.
 */
export interface StartQueue {
  /** Runs `task` when a slot is free; rejects with a `QueueClosedError` if the queue closes first, or the task was cancelled meanwhile. */
  run<T>(task: () => Promise<T>, options?: { cancelled?: () => boolean }): Promise<T>;
  readonly pending: number;
  readonly active: number;
  /** Rejects everything still waiting; running tasks finish on their own. */
  close(): void;
}

export class QueueClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueClosedError';
  }
}

interface Entry {
  task: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  cancelled: () => boolean;
}

export function createStartQueue(options: { maxConcurrent: number; perSecond: number }): StartQueue {
  const maxConcurrent = Math.max(1, options.maxConcurrent);
  const spacingMs = options.perSecond > 0 ? 1000 / options.perSecond : 0;
  const waiting: Entry[] = [];
  let active = 0;
  let nextStartAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function pump(): void {
    while (!closed && active < maxConcurrent && waiting.length > 0) {
      const entry = waiting[0]!;
      if (entry.cancelled()) {
        waiting.shift();
        entry.reject(new QueueClosedError('cancelled while waiting for a connection slot'));
        continue;
      }
      const now = performance.now();
      if (now < nextStartAt) {
        if (timer === undefined) {
          timer = setTimeout(() => {
            timer = undefined;
            pump();
          }, Math.ceil(nextStartAt - now));
        }
        return;
      }
      waiting.shift();
      nextStartAt = Math.max(now, nextStartAt) + spacingMs;
      active++;
      entry.task().then(entry.resolve, entry.reject).finally(() => {
        active--;
        pump();
      });
    }
  }

  return {
    run<T>(task: () => Promise<T>, runOptions: { cancelled?: () => boolean } = {}): Promise<T> {
      if (closed) return Promise.reject(new QueueClosedError('the connection queue is closed'));
      return new Promise<T>((resolve, reject) => {
        waiting.push({ task, resolve: resolve as (value: unknown) => void, reject, cancelled: runOptions.cancelled ?? (() => false) });
        pump();
      });
    },
    get pending() {
      return waiting.length;
    },
    get active() {
      return active;
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      for (const entry of waiting.splice(0)) entry.reject(new QueueClosedError('the connection queue is closed'));
    },
  };
}
