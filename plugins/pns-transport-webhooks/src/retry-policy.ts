// Exponential backoff with jitter for webhook retries.

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Delay before retry number `retry` (1-based): base·2^(retry-1), capped, then "equal jitter" (a random
 * point in its upper half) so that receivers coming back are not hit by every sender at once.
 */
export function retryDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retry - 1, 30));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** Outcomes worth another attempt: timeouts, network failures and 5xx answers. */
export function isRetryable(outcome: { status?: number; timeout?: boolean; network?: boolean }): boolean {
  if (outcome.timeout || outcome.network) return true;
  return outcome.status !== undefined && outcome.status >= 500 && outcome.status <= 599;
}
