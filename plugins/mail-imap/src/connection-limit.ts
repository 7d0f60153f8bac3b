import { tooManyConnections } from './errors.js';

export interface ConnectionLimit {
  /** Waits for a free slot (at most `waitMs`); returns its release function. */
  acquire(waitMs: number): Promise<() => void>;
  readonly inUse: number;
  readonly waiting: number;
}

/** A counting semaphore with FIFO waiters; `limit` is read at each acquire so a reload applies at once. */
export function createConnectionLimit(limit: () => number): ConnectionLimit {
  let inUse = 0;
  const waiters: Array<{ grant: () => void }> = [];

  const releaser = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inUse--;
      while (waiters.length > 0 && inUse < limit()) {
        inUse++;
        waiters.shift()!.grant();
      }
    };
  };

  return {
    acquire(waitMs) {
      if (inUse < limit() && waiters.length === 0) {
        inUse++;
        return Promise.resolve(releaser());
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          grant: () => {
            clearTimeout(timer);
            resolve(releaser());
          },
        };
        const timer = setTimeout(() => {
          const index = waiters.indexOf(waiter);
          if (index !== -1) waiters.splice(index, 1);
          reject(tooManyConnections(limit(), waitMs));
        }, waitMs);
        waiters.push(waiter);
      });
    },
    get inUse() {
      return inUse;
    },
    get waiting() {
      return waiters.length;
    },
  };
}
