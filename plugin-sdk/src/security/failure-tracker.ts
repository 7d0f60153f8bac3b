/**
 * Counts failed attempts per key (a login, an address) in a sliding window and decides the
 * brute-force answer: a growing delay once `delayAfter` failures are in the window, then a lockout
 * of `lockoutMs` when `maxFailures` is reached. Memory is bounded by `maxEntries` (oldest dropped).
 */
export interface FailurePolicy {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
  /** Failures in the window before answers get delayed. */
  delayAfter: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface FailureTracker {
  /** Milliseconds until the key's lockout ends; 0 when it is not locked out. */
  lockedFor(key: string): number;
  /** Records a failure; returns how long to delay the answer and whether this failure locked the key. */
  recordFailure(key: string): { delayMs: number; lockedMs: number };
  reset(key: string): void;
  /** Drops entries whose failures and lockouts have all expired. */
  sweep(): void;
  readonly size: number;
}

interface Entry {
  /** Timestamps of failures inside the window, oldest first. */
  failures: number[];
  lockedUntil: number;
}

export function createFailureTracker(policy: () => FailurePolicy, options: { now?: () => number; maxEntries?: number } = {}): FailureTracker {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 100_000;
  const entries = new Map<string, Entry>();

  function prune(entry: Entry, at: number, windowMs: number): void {
    let drop = 0;
    while (drop < entry.failures.length && entry.failures[drop]! <= at - windowMs) drop++;
    if (drop > 0) entry.failures.splice(0, drop);
  }

  return {
    lockedFor(key) {
      const entry = entries.get(key);
      if (entry === undefined) return 0;
      return Math.max(0, entry.lockedUntil - now());
    },
    recordFailure(key) {
      const settings = policy();
      const at = now();
      let entry = entries.get(key);
      if (entry === undefined) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(key, (entry = { failures: [], lockedUntil: 0 }));
      }
      prune(entry, at, settings.windowMs);
      entry.failures.push(at);
      const count = entry.failures.length;
      if (settings.maxFailures > 0 && count >= settings.maxFailures) {
        entry.lockedUntil = at + settings.lockoutMs;
        entry.failures = [];
        return { delayMs: 0, lockedMs: settings.lockoutMs };
      }
      if (count < settings.delayAfter) return { delayMs: 0, lockedMs: 0 };
      // 2^k · base, capped: doubling per failure makes guessing slow long before the lockout.
      const delayMs = Math.min(settings.baseDelayMs * 2 ** Math.min(count - settings.delayAfter, 30), settings.maxDelayMs);
      return { delayMs, lockedMs: 0 };
    },
    reset(key) {
      entries.delete(key);
    },
    sweep() {
      const settings = policy();
      const at = now();
      for (const [key, entry] of entries) {
        prune(entry, at, settings.windowMs);
        if (entry.failures.length === 0 && entry.lockedUntil <= at) entries.delete(key);
      }
    },
    get size() {
      return entries.size;
    },
  };
}
