import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { MetricFamily, MetricsSource } from '@keel/plugin-sdk';
import { collectSources } from './source-collection.js';

const family: MetricFamily = { name: 'keel_x', help: 'X.', type: 'gauge', samples: [{ value: 1 }] };

it('collects every source, leaving out one that throws, rejects or never answers', async () => {
  const sources: MetricsSource[] = [
    { name: 'sync', collect: () => [family] },
    { name: 'throws', collect: () => { throw new Error('boom'); } },
    { name: 'async', collect: async () => [family] },
    { name: 'rejects', collect: () => Promise.reject(new Error('nope')) },
    { name: 'hangs', collect: () => new Promise<readonly MetricFamily[]>(() => undefined) },
  ];
  const { collected, failures } = await collectSources(sources, 50);
  assert.deepEqual(collected, [{ source: 'sync', families: [family] }, { source: 'async', families: [family] }]);
  assert.deepEqual(failures, [
    { source: 'throws', reason: 'boom' },
    { source: 'rejects', reason: 'nope' },
    { source: 'hangs', reason: 'collect() did not answer within 50 ms' },
  ]);
});
