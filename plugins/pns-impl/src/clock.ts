// Time as pns-impl sees it: injectable so tests move time by hand instead of sleeping.
import type { Cancel, Scheduler } from '@keel/plugin-sdk';

export interface PnsClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Runs `task` every `intervalMs` until cancelled; a run never overlaps the previous one. */
  every(intervalMs: number, task: () => Promise<void> | void, name: string): Cancel;
}

/** Wall-clock time and the bundle's scheduler (its timers end with the bundle). */
export function systemClock(scheduler: Scheduler): PnsClock {
  return {
    now: () => Date.now(),
    every: (intervalMs, task, name) => scheduler.every(intervalMs, task, { name }),
  };
}
