import { briefErrorMessage, type MetricFamily, type MetricsSource, type ServiceEntry } from '@keel/plugin-sdk';

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
  const sources = await Promise.all(entries.map(async (entry): Promise<SourceSnapshot> => {
    const base = { name: sourceName(entry), bundle: entry.bundle, serviceId: entry.serviceId };
    try {
      return { ...base, families: checkFamilies(await withTimeout(() => entry.service.collect(), timeoutMs)) };
    } catch (error) {
      return { ...base, error: briefErrorMessage(error) };
    }
  }));
  return { collectedAt: new Date().toISOString(), sources };
}

function sourceName(entry: ServiceEntry<MetricsSource>): string {
  const name: unknown = entry.service.name;
  return typeof name === 'string' && name !== '' ? name : entry.bundle;
}

async function withTimeout<T>(collect: () => T | Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    // Not unref'd: the request waits for this answer, and the timer is cleared as soon as collect() settles.
    timer = setTimeout(() => reject(new Error(`collect() did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // A synchronous throw becomes a rejection here too.
    return await Promise.race([Promise.resolve().then(collect), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function checkFamilies(value: unknown): readonly MetricFamily[] {
  if (!Array.isArray(value)) throw new Error('collect() did not return a list of metric families');
  for (const family of value as unknown[]) {
    const { name, samples } = (family ?? {}) as { name?: unknown; samples?: unknown };
    if (typeof name !== 'string' || !Array.isArray(samples)) throw new Error('collect() returned a family without a name or samples');
  }
  return value as readonly MetricFamily[];
}
