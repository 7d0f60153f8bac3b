import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PushUser } from '@keel/plugin-sdk';
import { createCoalescer } from './coalescer.js';

test('packets inside a window become one emission per user', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const emitted: PushUser[] = [];
  const coalescer = createCoalescer(5000, (user) => emitted.push(user));
  const jane = { contextId: 1, userId: 3 };
  const bob = { contextId: 1, userId: 4 };
  assert.equal(coalescer.schedule(jane), true);
  assert.equal(coalescer.schedule(jane), false);
  assert.equal(coalescer.schedule(bob), true);
  t.mock.timers.tick(4999);
  assert.equal(coalescer.schedule(jane), false);
  assert.deepEqual(emitted, []);
  t.mock.timers.tick(1);
  assert.deepEqual(emitted, [jane, bob]);
  assert.equal(coalescer.schedule(jane), true, 'a new window after the emission');
  coalescer.close();
  t.mock.timers.tick(10_000);
  assert.deepEqual(emitted, [jane, bob], 'closed windows never emit');
});
