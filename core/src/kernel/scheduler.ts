import type { Cancel, Logger, Scheduler } from '@keel/plugin-sdk';

/** A bundle's timers; `cancelAll` runs when the bundle stops. */
export function createBundleScheduler(logger: Logger): Scheduler & { cancelAll(): void } {
  const cancels = new Set<Cancel>();

  function track(cancel: Cancel): Cancel {
    const wrapped = () => {
      cancel();
      cancels.delete(wrapped);
    };
    cancels.add(wrapped);
    return wrapped;
  }

  async function run(name: string, task: () => void | Promise<void>): Promise<void> {
    try {
      await task();
    } catch (error) {
      logger.error({ err: error, task: name }, `scheduled task '${name}' failed`);
    }
  }

  return {
    every(intervalMs, task, options = {}) {
      const name = options.name ?? 'task';
      let running = false;
      let stopped = false;
      // Never overlaps itself: a tick that finds the previous run still going is skipped.
      const tick = () => {
        if (running || stopped) return;
        running = true;
        void run(name, task).finally(() => {
          running = false;
        });
      };
      const timer = setInterval(tick, intervalMs);
      timer.unref();
      if (options.runNow) tick();
      return track(() => {
        stopped = true;
        clearInterval(timer);
      });
    },
    after(delayMs, task, options = {}) {
      const name = options.name ?? 'task';
      let cancel: Cancel = () => undefined;
      const timer = setTimeout(() => {
        cancel();
        void run(name, task);
      }, delayMs);
      timer.unref();
      cancel = track(() => clearTimeout(timer));
      return cancel;
    },
    cancelAll() {
      for (const cancel of [...cancels]) cancel();
    },
  };
}
