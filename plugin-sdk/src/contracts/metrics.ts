import { createServiceRef } from '../service-ref.js';

/**
 * Operational figures a bundle exposes (queue depth, connections, deliveries …). Bundles keep their
 * own plain counters and gauges and register a `MetricsSource`; the metrics bundle reads every
 * source when `/metrics` is scraped and the admin console when it refreshes. A bundle therefore
 * never depends on a metrics library, and its figures disappear with its registration.
 *
 * Names follow Prometheus conventions: `keel_<area>_<what>[_<unit>]`, counters end in `_total`.
 * Label values should come from a small set (transport ids, manager names, states), never from
 * user data: every distinct value is a new time series.
 */
export type MetricType = 'counter' | 'gauge';

export interface MetricSample {
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** The label names every sample carries (may be empty). */
  readonly labelNames?: readonly string[];
  readonly samples: readonly MetricSample[];
}

export interface MetricsSource {
  /** The owner, for error messages and the console (usually the bundle name). */
  readonly name: string;
  /** Current values; called on every scrape, so it must be cheap and must not do network I/O. */
  collect(): readonly MetricFamily[] | Promise<readonly MetricFamily[]>;
}

export const metricsSourceRef = createServiceRef<MetricsSource>({ id: 'metrics.source', version: '1.0.0', multiple: true });
