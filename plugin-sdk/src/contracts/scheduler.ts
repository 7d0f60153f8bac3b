/** Timers owned by a bundle: all of them are cancelled when the bundle stops. */
export interface Scheduler {
  /** Runs `task` every `intervalMs` (never overlapping itself); errors are logged, the schedule goes on. */
  every(intervalMs: number, task: () => void | Promise<void>, options?: { name?: string; runNow?: boolean }): Cancel;
  /** Runs `task` once after `delayMs`. */
  after(delayMs: number, task: () => void | Promise<void>, options?: { name?: string }): Cancel;
}

export type Cancel = () => void;
