import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InterestRegistry } from './interest-registry.js';

test('names lead to the users listening, until their last listener stops', () => {
  const registry = new InterestRegistry();
  const jane = { contextId: 1, userId: 3 };
  const first = registry.add(jane, ['jane', 'JD']);
  const second = registry.add(jane, ['ignored-for-a-second-listener']);
  assert.deepEqual(registry.match('Jd'), [jane]);
  assert.deepEqual(registry.match('ignored-for-a-second-listener'), []);
  first();
  first();
  assert.deepEqual(registry.match('jane'), [jane]);
  second();
  assert.deepEqual(registry.match('jane'), []);
  assert.equal(registry.size, 0);
});

test('a shared local part reaches every user that has it; updates and removal re-index', () => {
  const registry = new InterestRegistry();
  const a = { contextId: 1, userId: 3 };
  const b = { contextId: 2, userId: 3 };
  registry.add(a, ['info']);
  registry.add(b, ['info', 'bob']);
  assert.deepEqual(registry.match('info'), [a, b]);
  registry.update(b, ['robert']);
  assert.deepEqual(registry.match('info'), [a]);
  assert.deepEqual(registry.match('robert'), [b]);
  assert.deepEqual(registry.inContext(2), [b]);
  registry.remove(a);
  assert.deepEqual(registry.match('info'), []);
  registry.update(a, ['info']);
  assert.deepEqual(registry.match('info'), [], 'an unregistered user is not re-added by an update');
});
