import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import {
  canConnect,
  deleteRedisKeys,
  redisKeyPrefix,
  redisSkipReason,
  sharedRedisSkipReason,
  sharedRedisUrl,
  startRedis,
} from './index.js';

const skipPrivate = redisSkipReason();
const skipShared = await sharedRedisSkipReason();

function client(url: string): Redis {
  // fail fast instead of retrying forever while a fault test has the server down
  return new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
}

test('startRedis runs a private server that answers, restarts empty on the same port, and stops', { skip: skipPrivate }, async () => {
  const redis = await startRedis();
  try {
    assert.equal(redis.url, `redis://127.0.0.1:${redis.port}`);
    const first = client(redis.url);
    await first.connect();
    assert.equal(await first.ping(), 'PONG');
    await first.set('k', 'v');
    first.disconnect();

    await redis.restart();
    const second = client(redis.url);
    await second.connect();
    assert.equal(await second.ping(), 'PONG');
    assert.equal(await second.get('k'), null, 'nothing is persisted across a restart');
    second.disconnect();

    await redis.kill();
    assert.equal(await canConnect(redis.port), false, 'down after kill()');
    await redis.start();
    assert.equal(await canConnect(redis.port), true, 'up again after start()');
  } finally {
    await redis.stop();
  }
  assert.equal(await canConnect(redis.port), false);
  assert.equal(existsSync(redis.dir), false, 'temp dir removed');
});

test('shared Redis: keys under a per-test prefix are deleted by deleteRedisKeys', { skip: skipShared }, async () => {
  const prefix = redisKeyPrefix('harness');
  const other = redisKeyPrefix('harness');
  assert.notEqual(prefix, other);
  const shared = client(sharedRedisUrl);
  await shared.connect();
  try {
    await shared.set(`${prefix}a`, '1');
    await shared.set(`${prefix}b`, '2');
    await shared.set(`${other}a`, '3');
    assert.equal(await deleteRedisKeys(prefix), 2);
    assert.equal(await shared.exists(`${prefix}a`, `${prefix}b`), 0);
    assert.equal(await shared.get(`${other}a`), '3');
  } finally {
    await deleteRedisKeys(other);
    shared.disconnect();
  }
});
