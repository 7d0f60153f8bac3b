import type { MetricFamily, MetricsSource } from '../contracts/metrics.js';
import { briefErrorMessage } from '../errors.js';

/** One source's answer: its families, or why there are none this time. */
export type SourceCollection = { readonly families: readonly MetricFamily[] } | { readonly error: string };

/**
 * Asks every source for its families at once, isolated from each other: a source that throws,
 * rejects, does not answer within `timeoutMs` or returns something that is not a list becomes an
 * `error` entry, so one misbehaving bundle never hides the others' figures. Answers come in the
 * order of `sources`. Used by the metrics bundle's scrape and the admin console's snapshot.
 */
export function collectMetricsSources(sources: readonly MetricsSource[], timeoutMs: number): Promise<SourceCollection[]> {
  return Promise.all(sources.map(async (source): Promise<SourceCollection> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const families: unknown = await Promise.race([
        // A synchronous throw becomes a rejection too.
        Promise.resolve().then(() => source.collect()),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`collect() did not answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      if (!Array.isArray(families)) throw new Error('collect() did not return a list of metric families');
      return { families: families as readonly MetricFamily[] };
    } catch (error) {
      return { error: briefErrorMessage(error) };
    } finally {
      clearTimeout(timer);
    }
  }));
}
