import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cachedResolver } from './user-resolver.js';

test('cachedResolver: hits are kept for the TTL, misses are not, forget drops a user, the size is bounded', async () => {
  let time = 0;
  const lookups: string[] = [];
  const known: Record<string, { contextId: number; userId: number }> = { a: { contextId: 1, userId: 1 }, b: { contextId: 1, userId: 2 }, c: { contextId: 1, userId: 3 } };
  const cache = cachedResolver(async (name) => (lookups.push(name), known[name]), { ttlMs: 1000, maxEntries: 2, now: () => time });
  assert.deepEqual(await cache.resolve('a'), known['a']);
  assert.deepEqual(await cache.resolve('a'), known['a']);
  assert.equal(await cache.resolve('nobody'), undefined);
  assert.equal(await cache.resolve('nobody'), undefined);
  assert.deepEqual(lookups, ['a', 'nobody', 'nobody']);
  time = 1500;
  await cache.resolve('a');
  assert.deepEqual(lookups.slice(-1), ['a'], 'expired entries are looked up again');
  cache.forget({ contextId: 1, userId: 1 });
  await cache.resolve('a');
  assert.equal(lookups.filter((name) => name === 'a').length, 3);
  await cache.resolve('b');
  await cache.resolve('c');
  assert.equal(cache.size, 2);
});
