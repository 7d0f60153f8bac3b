import type { MetricsSource } from '@keel/plugin-sdk';
import type { Rejection, SourceFamilies } from './family-merge.js';

/** A source's `collect()` must be cheap; one that has not answered by then is left out of the scrape. */
export const SOURCE_TIMEOUT_MS = 2000;

/**
 * Asks every source for its families at once. A source that throws, rejects or does not answer within
 * `timeoutMs` is left out (a rejection naming it); the others are returned in source order.
 */
export async function collectSources(
  sources: readonly MetricsSource[],
  timeoutMs = SOURCE_TIMEOUT_MS,
): Promise<{ collected: SourceFamilies[]; failures: Rejection[] }> {
  const outcomes = await Promise.all(sources.map(async (source): Promise<{ collected: SourceFamilies } | { failure: Rejection }> => {
    const name = typeof source.name === 'string' && source.name !== '' ? source.name : 'unnamed';
    let timer: NodeJS.Timeout | undefined;
    try {
      const families = await Promise.race([
        Promise.resolve().then(() => source.collect()),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`collect() did not answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { collected: { source: name, families } };
    } catch (error) {
      return { failure: { source: name, reason: error instanceof Error ? error.message : String(error) } };
    } finally {
      clearTimeout(timer);
    }
  }));
  const collected: SourceFamilies[] = [];
  const failures: Rejection[] = [];
  for (const outcome of outcomes) {
    if ('collected' in outcome) collected.push(outcome.collected);
    else failures.push(outcome.failure);
  }
  return { collected, failures };
}
