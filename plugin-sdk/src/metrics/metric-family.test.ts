import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricFamily } from './metric-family.js';

test('metricFamily builds samples from a number, a record keyed by the only label, or samples', () => {
  assert.deepEqual(metricFamily({ name: 'a_total', help: 'A.', type: 'counter' }, 3).samples, [{ value: 3 }]);
  assert.deepEqual(metricFamily({ name: 'b', help: 'B.', type: 'gauge', labelNames: ['state'] }, { used: 1, idle: 2 }), {
    name: 'b', help: 'B.', type: 'gauge', labelNames: ['state'], samples: [{ labels: { state: 'used' }, value: 1 }, { labels: { state: 'idle' }, value: 2 }],
  });
  const samples = [{ labels: { manager: 'm', kind: 'session' }, value: 1 }];
  assert.equal(metricFamily({ name: 'c', help: 'C.', type: 'gauge', labelNames: ['manager', 'kind'] }, samples).samples, samples);
  assert.throws(() => metricFamily({ name: 'd', help: 'D.', type: 'gauge', labelNames: ['x'] }, 1), /has labels/);
  assert.throws(() => metricFamily({ name: 'e', help: 'E.', type: 'gauge', labelNames: ['x', 'y'] }, { a: 1 }), /exactly one label/);
});
