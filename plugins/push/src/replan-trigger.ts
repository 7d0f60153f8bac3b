/**
 * Coalesces bursts of membership changes: a change only marks the plan stale; a periodic check
 * runs the re-plan once the changes have been quiet for `delayMs` (5 s, checked every 2 s by
 * default), so ten members joining within a second cause one re-plan, not ten.
 */
export interface ReplanTrigger {
  /** A change happened (membership, ranking of the membership service). */
  changed(): void;
  /** The periodic check; returns the re-plan it started, if any. */
  tick(): Promise<void> | undefined;
  readonly pending: boolean;
}

export function createReplanTrigger(options: { delayMs: () => number; now?: () => number; replan: () => Promise<void> }): ReplanTrigger {
  const now = options.now ?? Date.now;
  let lastChange = 0;
  let pending = false;
  let running: Promise<void> | undefined;
  return {
    changed() {
      pending = true;
      lastChange = now();
    },
    tick() {
      if (!pending || running !== undefined || now() - lastChange < options.delayMs()) return undefined;
      pending = false;
      running = options.replan().finally(() => {
        running = undefined;
      });
      return running;
    },
    get pending() {
      return pending;
    },
  };
}
