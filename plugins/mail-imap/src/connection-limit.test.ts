import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKeelError } from '@keel/plugin-sdk';
import { createConnectionLimit } from './connection-limit.js';

test('connection limit: at most `limit` holders, waiters served first come first served', async () => {
  const limit = createConnectionLimit(() => 2);
  const a = await limit.acquire(1000);
  const b = await limit.acquire(1000);
  assert.equal(limit.inUse, 2);
  const order: string[] = [];
  const c = limit.acquire(10_000).then((release) => (order.push('c'), release));
  const d = limit.acquire(10_000).then((release) => (order.push('d'), release));
  assert.equal(limit.waiting, 2);
  a();
  a(); // a second release of the same slot changes nothing
  const releaseC = await c;
  assert.equal(limit.inUse, 2);
  b();
  const releaseD = await d;
  assert.deepEqual(order, ['c', 'd']);
  releaseC();
  releaseD();
  assert.equal(limit.inUse, 0);
});

test('connection limit: a waiter that gets no slot in time fails with MSG-0004 and leaves the queue', async () => {
  const limit = createConnectionLimit(() => 1);
  const held = await limit.acquire(1000);
  await assert.rejects(limit.acquire(5), (error: unknown) => isKeelError(error) && error.code === 'MSG-0004');
  assert.equal(limit.waiting, 0);
  held();
  (await limit.acquire(5))();
});
