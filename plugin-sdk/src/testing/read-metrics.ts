import { metricsSourceRef, type MetricFamily } from '../contracts/metrics.js';
import type { ServiceRef } from '../service-ref.js';

export interface MetricsReading {
  readonly families: readonly MetricFamily[];
  /** The value of the sample whose labels are exactly `labels` (none by default); undefined when absent. */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
}

/**
 * Collects the `metrics.source` registered under `source` (the bundle name) in a test kernel, as
 * the metrics bundle would at scrape time. Throws unless exactly one source has that name.
 */
export async function readMetrics(kernel: { getAll<T>(ref: ServiceRef<T>): T[] }, source: string): Promise<MetricsReading> {
  const sources = kernel.getAll(metricsSourceRef).filter((candidate) => candidate.name === source);
  if (sources.length !== 1) throw new Error(`expected one metrics source named '${source}', found ${sources.length}`);
  const families = await sources[0]!.collect();
  const key = (labels: Readonly<Record<string, string>> | undefined) => JSON.stringify(Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b)));
  return {
    families,
    value(name, labels) {
      const wanted = key(labels);
      return families.find((family) => family.name === name)?.samples.find((sample) => key(sample.labels) === wanted)?.value;
    },
  };
}
