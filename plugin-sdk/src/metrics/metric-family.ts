import type { MetricFamily, MetricSample, MetricType } from '../contracts/metrics.js';

/** What a family is, independent of its current values. */
export interface MetricSpec {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labelNames?: readonly string[];
}

/**
 * A family for `MetricsSource.collect()` from current values: one number (a family without
 * labels), one number per value of the family's only label (`{ websocket: 3, webhook: 1 }`), or
 * samples as they are (several labels).
 */
export function metricFamily(spec: MetricSpec, values: number | Readonly<Record<string, number>> | readonly MetricSample[]): MetricFamily {
  const labelNames = spec.labelNames ?? [];
  let samples: readonly MetricSample[];
  if (typeof values === 'number') {
    if (labelNames.length > 0) throw new Error(`${spec.name} has labels (${labelNames.join(', ')}): give a value per label value`);
    samples = [{ value: values }];
  } else if (Array.isArray(values)) {
    samples = values;
  } else {
    if (labelNames.length !== 1) throw new Error(`${spec.name}: values keyed by label value need exactly one label name, not ${labelNames.length}`);
    const label = labelNames[0]!;
    samples = Object.entries(values as Readonly<Record<string, number>>).map(([labelValue, value]) => ({ labels: { [label]: labelValue }, value }));
  }
  return { name: spec.name, help: spec.help, type: spec.type, labelNames, samples };
}
