import { collectMetricsSources, type MetricFamily, type MetricsSource, type ServiceEntry } from '@keel/plugin-sdk';

/** One source's figures, or why there are none this time. */
export interface SourceSnapshot {
  name: string;
  bundle: string;
  serviceId: number;
  families?: readonly MetricFamily[];
  error?: string;
}

export interface MetricsSnapshot {
  collectedAt: string;
  sources: SourceSnapshot[];
}

/** A source that takes longer than this is reported as failed; the others still answer. */
export const COLLECT_TIMEOUT_MS = 2_000;

/**
 * Reads every registered MetricsSource for `GET /admin/v1/metrics`. Sources are collected in
 * parallel and isolated from each other: one that throws, rejects, hangs or answers something that
 * is not a list of families becomes an `error` entry instead of failing the whole snapshot, because
 * the console must keep showing the other bundles' figures while one of them misbehaves.
 */
export async function collectMetrics(entries: readonly ServiceEntry<MetricsSource>[], timeoutMs = COLLECT_TIMEOUT_MS): Promise<MetricsSnapshot> {
  const answers = await collectMetricsSources(entries.map((entry) => entry.service), timeoutMs);
  const sources = entries.map((entry, index): SourceSnapshot => {
    const answer = answers[index]!;
    const base = { name: sourceName(entry), bundle: entry.bundle, serviceId: entry.serviceId };
    if (!('families' in answer)) return { ...base, error: answer.error };
    const malformed = malformedFamily(answer.families);
    return malformed === undefined ? { ...base, families: answer.families } : { ...base, error: malformed };
  });
  return { collectedAt: new Date().toISOString(), sources };
}

function sourceName(entry: ServiceEntry<MetricsSource>): string {
  const name: unknown = entry.service.name;
  return typeof name === 'string' && name !== '' ? name : entry.bundle;
}

/** The console draws every family by name and samples; a source that breaks that shape is reported instead. */
function malformedFamily(families: readonly MetricFamily[]): string | undefined {
  for (const family of families as readonly unknown[]) {
    const { name, samples } = (family ?? {}) as { name?: unknown; samples?: unknown };
    if (typeof name !== 'string' || !Array.isArray(samples)) return 'collect() returned a family without a name or samples';
  }
  return undefined;
}
