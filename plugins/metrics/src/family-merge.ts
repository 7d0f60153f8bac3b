import type { MetricFamily, MetricSample, MetricType } from '@keel/plugin-sdk';
import { validateMetricName } from 'prom-client';

/** What one source returned on one scrape. */
export interface SourceFamilies {
  readonly source: string;
  readonly families: readonly MetricFamily[];
}

/** A family (or a whole source) left out of a scrape, and why. */
export interface Rejection {
  readonly source: string;
  readonly family?: string;
  readonly reason: string;
}

/** The families of every source under one name, merged into one. */
export interface MergedFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labelNames: readonly string[];
  readonly samples: readonly MetricSample[];
}

interface Merging {
  readonly family: MergedFamily & { readonly samples: MetricSample[] };
  /** The source that declared the family first: its type and labels are the family's. */
  readonly source: string;
  readonly series: Set<string>;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Merges the families of every source by name (two LDAP bundles both report `keel_ldap_connections`,
 * each with its own `bundle` label), in source order. A family that is malformed, takes a name the
 * metrics bundle uses itself (`taken`), disagrees with the first declaration of its name about type
 * or label names, or repeats a series another source already reported is left out, and only that
 * family: the scrape and the source's other families go on.
 */
export function mergeFamilies(collected: readonly SourceFamilies[], taken: (name: string) => boolean): { families: MergedFamily[]; rejections: Rejection[] } {
  const merged = new Map<string, Merging>();
  const rejections: Rejection[] = [];
  for (const { source, families } of collected) {
    if (!Array.isArray(families)) {
      rejections.push({ source, reason: 'collect() did not return a list of metric families' });
      continue;
    }
    for (const family of families) {
      const reason = mergeInto(merged, source, family, taken);
      if (reason !== undefined) {
        const name = (family as { name?: unknown } | null)?.name;
        rejections.push({ source, ...(typeof name === 'string' ? { family: name } : {}), reason });
      }
    }
  }
  return { families: [...merged.values()].map((entry) => entry.family), rejections };
}

function mergeInto(merged: Map<string, Merging>, source: string, family: MetricFamily, taken: (name: string) => boolean): string | undefined {
  const malformed = malformation(family);
  if (malformed !== undefined) return malformed;
  const labelNames = family.labelNames ?? [];
  const existing = merged.get(family.name);
  if (existing === undefined && taken(family.name)) return `the name ${family.name} is one of the metrics bundle's own metrics; choose another`;
  if (existing !== undefined) {
    const first = existing.family;
    if (first.type !== family.type) return `declared as ${family.type}, but source '${existing.source}' declared ${family.name} as ${first.type}`;
    if (labelNames.length !== first.labelNames.length || !labelNames.every((name) => first.labelNames.includes(name))) {
      return `has labels [${labelNames.join(', ')}], but source '${existing.source}' declared ${family.name} with [${first.labelNames.join(', ')}]`;
    }
  }
  const entry: Merging = existing ?? {
    family: { name: family.name, help: family.help, type: family.type, labelNames: [...labelNames], samples: [] },
    source,
    series: new Set(),
  };
  const added = new Set<string>();
  for (const sample of family.samples) {
    const key = entry.family.labelNames.map((name) => `${name}=${JSON.stringify(sample.labels?.[name])}`).join(',');
    if (entry.series.has(key) || added.has(key)) {
      return `repeats the series ${family.name}{${key}}${entry.series.has(key) ? ` that source '${entry.source}' reported already` : ''}; every series must be reported once`;
    }
    added.add(key);
  }
  for (const key of added) entry.series.add(key);
  entry.family.samples.push(...family.samples);
  if (existing === undefined) merged.set(family.name, entry);
  return undefined;
}

/** What is wrong with a family a source returned, if anything (sources are other bundles' code: trust nothing). */
function malformation(family: MetricFamily): string | undefined {
  if (typeof family !== 'object' || family === null) return 'is not a metric family object';
  const { name, help, type, labelNames = [], samples } = family;
  if (typeof name !== 'string' || !validateMetricName(name)) return `has the invalid metric name ${JSON.stringify(name)}; use [a-zA-Z_:][a-zA-Z0-9_:]*`;
  if (typeof help !== 'string' || help === '') return 'has no help text';
  if (type !== 'counter' && type !== 'gauge') return `has the type ${JSON.stringify(type)}; a family is a counter or a gauge`;
  if (!Array.isArray(labelNames)) return 'has labelNames that are not a list';
  for (const label of labelNames) {
    if (typeof label !== 'string' || !LABEL_NAME.test(label) || label.startsWith('__')) return `has the invalid label name ${JSON.stringify(label)}`;
  }
  if (new Set(labelNames).size !== labelNames.length) return `names a label twice in [${labelNames.join(', ')}]`;
  if (!Array.isArray(samples)) return 'has samples that are not a list';
  for (const sample of samples) {
    const labels: Readonly<Record<string, unknown>> = sample?.labels ?? {};
    const names = Object.keys(labels);
    if (names.length !== labelNames.length || !labelNames.every((label) => typeof labels[label] === 'string')) {
      return `has a sample labelled {${names.join(', ')}} where every sample carries exactly [${labelNames.join(', ')}] as strings`;
    }
    if (typeof sample.value !== 'number') return `has a sample with the value ${JSON.stringify(sample.value)}, not a number`;
    if (type === 'counter' && !(sample.value >= 0)) return `is a counter with the value ${sample.value}; counters are never negative`;
  }
  return undefined;
}
