/**
 * Wakes every current waiter at once. Callers keep their own condition flags and loop
 * `while (!condition()) await signal.wait()`: the check and the registration happen in the same
 * tick, so a notification cannot slip in between.
 */
export interface WakeSignal {
  /** Resolves at the next notify(), or after `timeoutMs` when given. */
  wait(timeoutMs?: number): Promise<void>;
  notify(): void;
}

export function createWakeSignal(): WakeSignal {
  let waiters: Array<() => void> = [];
  return {
    wait(timeoutMs) {
      return new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const done = () => {
          if (timer !== undefined) clearTimeout(timer);
          resolve();
        };
        waiters.push(done);
        if (timeoutMs !== undefined) {
          timer = setTimeout(() => {
            waiters = waiters.filter((waiter) => waiter !== done);
            resolve();
          }, Math.max(0, timeoutMs));
        }
      });
    },
    notify() {
      const current = waiters;
      waiters = [];
      for (const waiter of current) waiter();
    },
  };
}
