import type { MetricsSource, ServiceTracker } from '@keel/plugin-sdk';
import { Counter, Gauge, Registry } from 'prom-client';
import { mergeFamilies, type MergedFamily } from './family-merge.js';
import { processMetrics } from './process-metrics.js';
import { collectSources } from './source-collection.js';
import type { SourceErrors } from './source-errors.js';

/**
 * One scrape in the Prometheus text format: process metrics, the bundle's own metrics (`own`), and
 * the families every registered MetricsSource returns now. Source families go into a registry made
 * for this scrape alone, so families come and go with their sources and concurrent scrapes never
 * share state; prom-client does the formatting and escaping.
 */
export function createScrape(options: { own: Registry; sources: ServiceTracker<MetricsSource>; errors: SourceErrors }): () => Promise<string> {
  const { own, sources, errors } = options;
  const processRegistry = processMetrics();
  const taken = (name: string) => own.getSingleMetric(name) !== undefined || processRegistry.getSingleMetric(name) !== undefined;
  return async () => {
    const { collected, failures } = await collectSources(sources.all());
    const { families, rejections } = mergeFamilies(collected, taken);
    errors.record([...failures, ...rejections], [...collected.map((entry) => entry.source), ...failures.map((failure) => failure.source)]);
    const fromSources = new Registry();
    for (const family of families) addFamily(fromSources, family);
    return Registry.merge([processRegistry, own, fromSources]).metrics();
  };
}

function addFamily(registry: Registry, family: MergedFamily): void {
  const config = { name: family.name, help: family.help, labelNames: [...family.labelNames], registers: [registry] };
  if (family.type === 'counter') {
    const counter = new Counter(config);
    for (const sample of family.samples) counter.inc({ ...sample.labels }, sample.value);
  } else {
    const gauge = new Gauge(config);
    for (const sample of family.samples) gauge.set({ ...sample.labels }, sample.value);
  }
}
