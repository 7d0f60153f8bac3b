import { collectMetricsSources, type MetricsSource } from '@keel/plugin-sdk';
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
  const answers = await collectMetricsSources(sources, timeoutMs);
  const collected: SourceFamilies[] = [];
  const failures: Rejection[] = [];
  answers.forEach((answer, index) => {
    const name = sources[index]!.name;
    const source = typeof name === 'string' && name !== '' ? name : 'unnamed';
    if ('families' in answer) collected.push({ source, families: answer.families });
    else failures.push({ source, reason: answer.error });
  });
  return { collected, failures };
}
