import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServiceRef, type TrackerEvent } from '@keel/plugin-sdk';
import { createRegistry } from './registry.js';
import { createTracker } from './tracker.js';

const storage = createServiceRef<{ name: string }>({ id: 'contacts.storage', version: '1.2.0', multiple: true });

test('get is the highest ranking; ties go to the first registered', () => {
  const registry = createRegistry();
  registry.register('a', storage, { name: 'first' });
  registry.register('b', storage, { name: 'second' });
  assert.equal(registry.get(storage)?.name, 'first');
  registry.register('c', storage, { name: 'ranked' }, { ranking: 10 });
  assert.equal(registry.get(storage)?.name, 'ranked');
  assert.deepEqual(registry.getAll(storage).map((s) => s.name), ['ranked', 'first', 'second']);
});

test('update re-sorts; unregister and unregisterBundle withdraw', () => {
  const registry = createRegistry();
  const low = registry.register('a', storage, { name: 'low' });
  registry.register('b', storage, { name: 'b1' }, { ranking: 5 });
  registry.register('b', storage, { name: 'b2' }, { ranking: 1 });
  low.update({ ranking: 50 });
  assert.equal(registry.get(storage)?.name, 'low');
  low.unregister();
  assert.equal(registry.get(storage)?.name, 'b1');
  registry.unregisterBundle('b');
  assert.equal(registry.get(storage), undefined);
});

test('consumers only see providers in their caret range', () => {
  const registry = createRegistry();
  registry.register('old', createServiceRef<{ name: string }>({ id: 'contacts.storage', version: '1.0.0' }), { name: 'v1.0' });
  registry.register('new', createServiceRef<{ name: string }>({ id: 'contacts.storage', version: '2.1.0' }), { name: 'v2.1' }, { ranking: 100 });
  assert.equal(registry.get(storage)?.name, undefined, '1.2.0 consumer: 1.0.0 is too old and 2.1.0 is another major');
  registry.register('mid', createServiceRef<{ name: string }>({ id: 'contacts.storage', version: '1.4.0' }), { name: 'v1.4' });
  assert.equal(registry.get(storage)?.name, 'v1.4');
  assert.equal(registry.get(createServiceRef<{ name: string }>({ id: 'contacts.storage', version: '2.0.0' }))?.name, 'v2.1');
});

test('property filters match values and array members', () => {
  const registry = createRegistry();
  registry.register('a', storage, { name: 'ws' }, { properties: { transport: 'websocket', topics: ['ox:mail:new'] } });
  registry.register('b', storage, { name: 'hook' }, { properties: { transport: 'webhook' } });
  assert.equal(registry.get(storage, { transport: 'webhook' })?.name, 'hook');
  assert.equal(registry.get(storage, { topics: 'ox:mail:new' })?.name, 'ws');
  assert.equal(registry.get(storage, { transport: 'apn' }), undefined);
});

test('trackers replay current providers and report added, modified and removed', () => {
  const events: string[] = [];
  const registry = createRegistry();
  registry.register('a', storage, { name: 'sql' });
  const tracker = createTracker(registry, storage);
  tracker.subscribe((event: TrackerEvent<{ name: string }>) => events.push(`${event.type}:${event.entry.service.name}`));
  const ldap = registry.register('b', storage, { name: 'ldap' }, { ranking: 1 });
  ldap.update({ properties: { folder: 6 } });
  ldap.unregister();
  tracker.close();
  registry.register('c', storage, { name: 'after-close' });
  assert.deepEqual(events, ['added:sql', 'added:ldap', 'modified:ldap', 'removed:ldap']);
});

test('registry events are reported', () => {
  const seen: string[] = [];
  const registry = createRegistry({ onRegistered: (s) => seen.push(`+${s.id}/${s.bundle}`), onUnregistered: (s) => seen.push(`-${s.id}/${s.bundle}`) });
  registry.register('a', storage, { name: 'x' }).unregister();
  assert.deepEqual(seen, ['+contacts.storage/a', '-contacts.storage/a']);
});
