import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServiceRef } from '@keel/plugin-sdk';
import { resolveBundles, type ResolverInput } from './resolver.js';

const ref = (id: string, version = '1.0.0') => createServiceRef<unknown>({ id, version });
const bundle = (name: string, parts: Partial<ResolverInput> = {}): ResolverInput => ({
  name, sdkRange: '^1.0.0', packageJsonPath: `${name}/package.json`, provides: [], requires: [], optional: [], ...parts,
});

test('providers start before consumers; independent bundles sort by name', () => {
  const result = resolveBundles([
    bundle('zeta'),
    bundle('consumer', { requires: [ref('db')] }),
    bundle('alpha', { provides: [ref('db')] }),
  ], '1.0.0');
  assert.deepEqual(result.order, ['alpha', 'consumer', 'zeta']);
  assert.deepEqual([...result.dependencies.get('consumer')!.required], ['alpha']);
});

test('removal cascades to a fixpoint: a consumer of a consumer of a missing service is left out', () => {
  const result = resolveBundles([
    bundle('a', { requires: [ref('missing')], provides: [ref('a')] }),
    bundle('b', { requires: [ref('a')], provides: [ref('b')] }),
    bundle('c', { requires: [ref('b')] }),
    bundle('d'),
  ], '1.0.0');
  assert.deepEqual(result.order, ['d']);
  assert.equal(result.failed.get('a')?.code, 'KEEL-SERVICE-MISSING');
  assert.equal(result.failed.get('c')?.code, 'KEEL-SERVICE-MISSING');
  assert.match(result.failed.get('c')!.message, /'b' provides it but was left out \(KEEL-SERVICE-MISSING\)/);
});

test('a cycle is reported with its full path and its dependents are left out too', () => {
  const result = resolveBundles([
    bundle('x', { provides: [ref('x')], requires: [ref('y')] }),
    bundle('y', { provides: [ref('y')], requires: [ref('x')] }),
    bundle('user', { requires: [ref('x')] }),
  ], '1.0.0');
  assert.match(result.failed.get('x')!.message, /x -> y -> x/);
  assert.equal(result.failed.get('user')?.code, 'KEEL-SERVICE-MISSING');
  assert.deepEqual(result.order, []);
});

test('optional references order the start but never form a cycle', () => {
  const result = resolveBundles([
    bundle('push', { provides: [ref('push')], optional: [ref('cluster')] }),
    bundle('cluster', { provides: [ref('cluster')], requires: [ref('push')] }),
  ], '1.0.0');
  assert.deepEqual(result.order, ['push', 'cluster']);
  assert.equal(result.failed.size, 0);
});

test('external services satisfy requirements; SDK ranges are checked', () => {
  const result = resolveBundles([
    bundle('uses-kernel', { requires: [ref('stand.in', '1.1.0')] }),
    bundle('future', { sdkRange: '>=2' }),
  ], '1.3.0', [ref('stand.in', '1.5.0')]);
  assert.deepEqual(result.order, ['uses-kernel']);
  assert.equal(result.failed.get('future')?.code, 'KEEL-SDK-RANGE');
});

test('optional references never close a loop together with required ones', () => {
  // mail-imap -optional-> push -optional-> push-dovecot -required-> mail-imap
  const result = resolveBundles([
    bundle('mail-imap', { provides: [ref('mail.access')], optional: [ref('push.credentials')] }),
    bundle('push', { provides: [ref('push.credentials')], optional: [ref('push.manager')] }),
    bundle('push-dovecot', { provides: [ref('push.manager')], requires: [ref('mail.access')] }),
  ], '1.0.0');
  assert.equal(result.failed.size, 0);
  assert.equal(result.order.length, 3, `every bundle gets a place in the start order: ${result.order.join(', ')}`);
  assert.ok(result.order.indexOf('mail-imap') < result.order.indexOf('push-dovecot'), 'required edges always order the start');
});
