import type { Logger } from '@keel/plugin-sdk';
import { Counter, type Registry } from 'prom-client';
import type { Rejection } from './family-merge.js';

export interface SourceErrors {
  /** The problems of one scrape, and every source it asked (so recovered sources are noticed). */
  record(problems: readonly Rejection[], sources: readonly string[]): void;
}

/**
 * `keel_metrics_source_errors_total{source}` counts every failed collect and every family left out.
 * A failing source is logged at warn once, not on every scrape (Prometheus scrapes every few seconds),
 * and again only after it reported cleanly in between.
 */
export function createSourceErrors(registry: Registry, logger: Logger): SourceErrors {
  const counter = new Counter({
    name: 'keel_metrics_source_errors_total',
    help: 'Failed collects (threw, rejected, no answer in time) and families left out (malformed or conflicting) per metrics source.',
    labelNames: ['source'],
    registers: [registry],
  });
  const failing = new Set<string>();
  return {
    record(problems, sources) {
      const bySource = new Map<string, Rejection[]>();
      for (const problem of problems) {
        const list = bySource.get(problem.source);
        if (list === undefined) bySource.set(problem.source, [problem]);
        else list.push(problem);
      }
      for (const source of sources) {
        const list = bySource.get(source) ?? [];
        // inc by 0 creates the series, so rate() works from the first scrape on.
        counter.inc({ source }, list.length);
        if (list.length > 0 && !failing.has(source)) {
          failing.add(source);
          const details = list.map((problem) => (problem.family === undefined ? problem.reason : `${problem.family} ${problem.reason}`));
          logger.warn({ source, problems: details }, `Metrics source '${source}' is left out of scrapes, in part or whole: ${details.join('; ')} (logged once until it reports cleanly)`);
        } else if (list.length === 0 && failing.delete(source)) {
          logger.info({ source }, `Metrics source '${source}' reports cleanly again`);
        }
      }
      const asked = new Set(sources);
      for (const source of failing) if (!asked.has(source)) failing.delete(source);
    },
  };
}
