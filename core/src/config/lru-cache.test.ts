import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruCache } from './lru-cache.js';

test('evicts the least recently used entry beyond the bound', () => {
  const cache = new LruCache<string, number>(2, 1000, () => 0);
  cache.set('a', 1);
  cache.set('b', 2);
  assert.equal(cache.get('a'), 1); // a is now the most recent
  cache.set('c', 3);
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('a'), 1);
  assert.equal(cache.get('c'), 3);
  assert.equal(cache.size, 2);
});

test('entries expire after the TTL', () => {
  let now = 0;
  const cache = new LruCache<string, number>(10, 100, () => now);
  cache.set('a', 1);
  now = 99;
  assert.equal(cache.get('a'), 1);
  now = 100;
  assert.equal(cache.get('a'), undefined);
  assert.equal(cache.size, 0);
});

test('a TTL of 0 caches nothing', () => {
  const cache = new LruCache<string, number>(10, 0);
  cache.set('a', 1);
  assert.equal(cache.get('a'), undefined);
});
