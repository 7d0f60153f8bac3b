export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseMillis: number;
  maxMillis: number;
}

/**
 * Delay before retry number `retry` (1-based): exponential from `baseMillis`, with "equal jitter"
 * (half fixed, half random) so devices rejected together do not come back together, never above
 * `maxMillis`. A server's Retry-After is honoured up to `maxMillis`.
 */
export function backoffMillis(policy: RetryPolicy, retry: number, retryAfterMillis?: number): number {
  const exponential = Math.min(policy.maxMillis, policy.baseMillis * 2 ** (retry - 1));
  const jittered = exponential / 2 + Math.random() * (exponential / 2);
  return Math.min(policy.maxMillis, Math.max(jittered, retryAfterMillis ?? 0));
}

/** Waits `millis`; resolves true, or false at once when `signal` aborts (the transport is stopping). */
export function abortableDelay(millis: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, millis);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
