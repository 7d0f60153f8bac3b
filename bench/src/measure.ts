/** One figure next to its baseline measured in the same run. */
export interface BenchResult {
  suite: string;
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  /** value / baseline.value */
  ratio?: number;
  /** `lower` when smaller values are better (times, memory), `higher` for rates. */
  better: 'lower' | 'higher';
  note?: string;
}

export function result(suite: string, name: string, value: number, unit: string, better: 'lower' | 'higher', baseline?: { name: string; value: number }, note?: string): BenchResult {
  return { suite, name, value, unit, better, ...(baseline ? { baseline, ratio: baseline.value === 0 ? undefined : value / baseline.value } : {}), ...(note ? { note } : {}) };
}

/**
 * Operations per second of a synchronous function: warms up, then runs batches until `durationMs`
 * has passed, and reports the median of the batch rates (robust against a noisy neighbour).
 */
export function opsPerSecond(fn: (i: number) => unknown, options: { durationMs?: number; batch?: number } = {}): number {
  const batch = options.batch ?? 10_000;
  const durationMs = options.durationMs ?? 500;
  let sink = 0;
  for (let i = 0; i < batch; i++) if (fn(i)) sink++;
  const rates: number[] = [];
  const end = performance.now() + durationMs;
  let i = 0;
  while (performance.now() < end || rates.length < 5) {
    const start = performance.now();
    for (let j = 0; j < batch; j++, i++) if (fn(i)) sink++;
    rates.push(batch / ((performance.now() - start) / 1000));
  }
  if (sink === -1) console.log(sink);
  return median(rates);
}

/** Operations per second of an async function, `concurrency` at a time, for `durationMs`. */
export async function asyncOpsPerSecond(fn: (i: number) => Promise<unknown>, options: { durationMs?: number; concurrency?: number; maxOps?: number } = {}): Promise<{ rate: number; latencies: number[] }> {
  const durationMs = options.durationMs ?? 2000;
  const concurrency = options.concurrency ?? 16;
  const maxOps = options.maxOps ?? 1_000_000;
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    while (performance.now() < end && next < maxOps) {
      const i = next++;
      const t0 = performance.now();
      await fn(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { rate: latencies.length / ((performance.now() - start) / 1000), latencies };
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Median wall time in ms of `runs` executions of an async task (with a setup/teardown outside the timing). */
export async function medianTime<T>(runs: number, setup: () => Promise<T>, task: (state: T) => Promise<void>, teardown: (state: T) => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const state = await setup();
    const start = performance.now();
    await task(state);
    times.push(performance.now() - start);
    await teardown(state);
  }
  return median(times);
}
