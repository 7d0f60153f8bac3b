// push's figures for the metrics bundle: the listeners running on this node.
import { metricFamily, type MetricSample, type MetricsSource } from '@keel/plugin-sdk';

export function createPushMetricsSource(deps: {
  /** Names of the push managers registered now: each gets both kinds, at 0 when nothing runs. */
  managers(): readonly string[];
  listenerCounts(): ReadonlyMap<string, { permanent: number; session: number }>;
}): MetricsSource {
  return {
    name: 'push',
    collect() {
      const counts = deps.listenerCounts();
      const samples: MetricSample[] = [];
      for (const manager of new Set([...deps.managers(), ...counts.keys()])) {
        const running = counts.get(manager) ?? { permanent: 0, session: 0 };
        samples.push({ labels: { manager, kind: 'permanent' }, value: running.permanent }, { labels: { manager, kind: 'session' }, value: running.session });
      }
      return [metricFamily({ name: 'keel_push_listeners', help: 'Push listeners running on this node, by push manager and kind (permanent or session-bound).', type: 'gauge', labelNames: ['manager', 'kind'] }, samples)];
    },
  };
}
