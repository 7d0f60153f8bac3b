import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricFamily } from '@keel/plugin-sdk';
import { mergeFamilies } from './family-merge.js';

const connections = (bundle: string, value: number): MetricFamily => ({
  name: 'keel_ldap_connections', help: 'Open LDAP connections.', type: 'gauge', labelNames: ['bundle'], samples: [{ labels: { bundle }, value }],
});
const nothingTaken = () => false;

describe('mergeFamilies', () => {
  it('merges families of the same name from several sources, keeping the first help', () => {
    const { families, rejections } = mergeFamilies([
      { source: 'auth-ldap', families: [connections('auth-ldap', 2)] },
      { source: 'contacts-ldap', families: [{ ...connections('contacts-ldap', 5), help: 'Other words.' }] },
    ], nothingTaken);
    assert.deepEqual(rejections, []);
    assert.deepEqual(families, [{
      name: 'keel_ldap_connections', help: 'Open LDAP connections.', type: 'gauge', labelNames: ['bundle'],
      samples: [{ labels: { bundle: 'auth-ldap' }, value: 2 }, { labels: { bundle: 'contacts-ldap' }, value: 5 }],
    }]);
  });

  it('accepts label names in another order and families without labels', () => {
    const { families, rejections } = mergeFamilies([
      { source: 'a', families: [{ name: 'x', help: 'X.', type: 'gauge', labelNames: ['p', 'q'], samples: [{ labels: { p: '1', q: '1' }, value: 1 }] }] },
      { source: 'b', families: [{ name: 'x', help: 'X.', type: 'gauge', labelNames: ['q', 'p'], samples: [{ labels: { q: '2', p: '2' }, value: 2 }] }] },
      { source: 'c', families: [{ name: 'y_total', help: 'Y.', type: 'counter', samples: [{ value: 0 }] }] },
    ], nothingTaken);
    assert.deepEqual(rejections, []);
    assert.deepEqual(families.map((family) => [family.name, family.samples.length]), [['x', 2], ['y_total', 1]]);
  });

  it('leaves out a family that conflicts in type or labels with the first declaration, naming both sources', () => {
    const { families, rejections } = mergeFamilies([
      { source: 'first', families: [connections('first', 1)] },
      { source: 'typed', families: [{ ...connections('typed', 1), type: 'counter' }, { name: 'fine', help: 'F.', type: 'gauge', samples: [{ value: 1 }] }] },
      { source: 'labelled', families: [{ ...connections('x', 1), labelNames: ['host'], samples: [{ labels: { host: 'h' }, value: 1 }] }] },
    ], nothingTaken);
    assert.deepEqual(families.map((family) => [family.name, family.samples.length]), [['keel_ldap_connections', 1], ['fine', 1]]);
    assert.deepEqual(rejections.map((r) => [r.source, r.family]), [['typed', 'keel_ldap_connections'], ['labelled', 'keel_ldap_connections']]);
    assert.match(rejections[0]!.reason, /declared as counter, but source 'first' declared keel_ldap_connections as gauge/);
    assert.match(rejections[1]!.reason, /has labels \[host\], but source 'first' declared keel_ldap_connections with \[bundle\]/);
  });

  it('leaves out a family repeating a series, from another source or within itself, and adds none of its samples', () => {
    const { families, rejections } = mergeFamilies([
      { source: 'one', families: [connections('shared', 1)] },
      { source: 'two', families: [{ ...connections('two', 1), samples: [{ labels: { bundle: 'two' }, value: 1 }, { labels: { bundle: 'shared' }, value: 9 }] }] },
      { source: 'three', families: [{ name: 'z', help: 'Z.', type: 'gauge', samples: [{ value: 1 }, { value: 2 }] }] },
    ], nothingTaken);
    assert.deepEqual(families.map((family) => family.samples), [[{ labels: { bundle: 'shared' }, value: 1 }]]);
    assert.match(rejections[0]!.reason, /repeats the series keel_ldap_connections\{bundle="shared"\} that source 'one' reported already/);
    assert.deepEqual(rejections.map((r) => [r.source, r.family]), [['two', 'keel_ldap_connections'], ['three', 'z']]);
  });

  it('refuses names the metrics bundle uses itself', () => {
    const { families, rejections } = mergeFamilies([{ source: 'sneaky', families: [{ name: 'keel_bundles', help: 'B.', type: 'gauge', samples: [{ value: 1 }] }] }], (name) => name === 'keel_bundles');
    assert.deepEqual(families, []);
    assert.match(rejections[0]!.reason, /one of the metrics bundle's own metrics/);
  });

  it('leaves out malformed families, with the reason', () => {
    const malformed: Array<[unknown, RegExp]> = [
      [{ name: 'bad-name', help: 'H.', type: 'gauge', samples: [] }, /invalid metric name "bad-name"/],
      [{ name: 'a', help: '', type: 'gauge', samples: [] }, /no help text/],
      [{ name: 'a', help: 'H.', type: 'histogram', samples: [] }, /type "histogram"; a family is a counter or a gauge/],
      [{ name: 'a', help: 'H.', type: 'gauge', labelNames: ['__reserved'], samples: [] }, /invalid label name "__reserved"/],
      [{ name: 'a', help: 'H.', type: 'gauge', labelNames: ['x', 'x'], samples: [] }, /names a label twice/],
      [{ name: 'a', help: 'H.', type: 'gauge', labelNames: ['x'], samples: [{ value: 1 }] }, /labelled \{\} where every sample carries exactly \[x\]/],
      [{ name: 'a', help: 'H.', type: 'gauge', samples: [{ labels: { extra: 'e' }, value: 1 }] }, /labelled \{extra\}/],
      [{ name: 'a', help: 'H.', type: 'gauge', labelNames: ['x'], samples: [{ labels: { x: 1 }, value: 1 }] }, /as strings/],
      [{ name: 'a', help: 'H.', type: 'gauge', samples: [{ value: '3' }] }, /value "3", not a number/],
      [{ name: 'a_total', help: 'H.', type: 'counter', samples: [{ value: -1 }] }, /counters are never negative/],
      [{ name: 'a', help: 'H.', type: 'gauge', samples: 'none' }, /samples that are not a list/],
      [null, /not a metric family object/],
    ];
    for (const [family, reason] of malformed) {
      const { families, rejections } = mergeFamilies([{ source: 's', families: [family as MetricFamily] }], nothingTaken);
      assert.deepEqual(families, [], JSON.stringify(family));
      assert.match(rejections[0]?.reason ?? '', reason, JSON.stringify(family));
    }
    assert.match(mergeFamilies([{ source: 's', families: 'nope' as unknown as MetricFamily[] }], nothingTaken).rejections[0]!.reason, /did not return a list/);
  });
});
