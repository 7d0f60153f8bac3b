// The cluster services of three in-process nodes on a private Redis: membership, locks, sessions,
// credentials, health, and a Redis restart without persistence.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import {
  clusterMembershipRef, clusterServiceRef, credentialStorageRef, healthCheckRef, lockServiceRef, sessionStorageRef,
  type Session, type SessionRemoval, type SessionStorage,
} from '@keel/plugin-sdk';
import type { TestKernel } from '@keel/plugin-sdk/testing';
import { redisSkipReason, startRedis, type RedisServer } from '@keel/test/harness';
import { eventually, startNode } from './support.js';

const PREFIX = 'keel-test:';
const PASSCRYPT = { 'com.openexchange.push.credstorage.enabled': 'true', 'com.openexchange.push.credstorage.passcrypt': 'cluster test passcrypt' };

function session(id: string, extra: Partial<Session> = {}): Session {
  const at = Date.now();
  return {
    sessionId: id, secret: `secret-${id}`, contextId: 1, userId: 3, loginName: 'alice', client: 'open-xchange-appsuite',
    cookieHash: 'hash', createdAt: at, lastActiveAt: at, ip: '127.0.0.1', ...extra,
  };
}

describe('cluster-redis services', async () => {
  const skip = redisSkipReason();
  let redis: RedisServer;
  let raw: Redis;
  const nodes: Record<string, TestKernel> = {};

  before(async () => {
    if (skip) return;
    redis = await startRedis();
    raw = new Redis(redis.url, { maxRetriesPerRequest: 20, lazyConnect: true });
    raw.on('error', () => undefined);
    await raw.connect();
    for (const id of ['node-b', 'node-a', 'node-c']) {
      nodes[id] = await startNode({ redisUrl: redis.url, prefix: PREFIX, nodeId: id, properties: id === 'node-c' ? { ...PASSCRYPT, 'com.openexchange.push.allowPermanentPush': 'false' } : PASSCRYPT });
    }
  });

  after(async () => {
    await Promise.all(Object.values(nodes).map((node) => node.stop()));
    raw?.disconnect();
    await redis?.stop();
  });

  test('every node sees every member in the same order; only capable ones run permanent listeners', { skip }, async () => {
    for (const node of Object.values(nodes)) {
      await eventually(() => node.get(clusterServiceRef)!.members().length === 3, 'three members');
      assert.deepEqual(node.get(clusterServiceRef)!.members().map((m) => m.id), ['node-a', 'node-b', 'node-c']);
      assert.deepEqual(node.get(clusterMembershipRef)!.members(), ['node-a', 'node-b']);
    }
    assert.equal(nodes['node-a']!.get(clusterMembershipRef)!.selfId, 'node-a');
  });

  test('a lock is exclusive, released and extended only by its holder, and expires', { skip }, async () => {
    const a = nodes['node-a']!.get(lockServiceRef)!;
    const b = nodes['node-b']!.get(lockServiceRef)!;
    const held = await a.tryLock('push:1:3', 10_000);
    assert.ok(held);
    assert.equal(await b.tryLock('push:1:3', 10_000), undefined);
    assert.equal(await held.extend(10_000), true);
    await held.release();
    const taken = await b.tryLock('push:1:3', 200);
    assert.ok(taken);
    // The first holder's handle is spent; it cannot take the lock back from the new holder.
    assert.equal(await held.extend(10_000), false);
    await eventually(async () => (await a.tryLock('push:1:3', 10_000)) !== undefined, 'the lock to expire');
    assert.equal(await taken.extend(10_000), false);
  });

  test('a session written on one node is read, touched and removed on another; the removal reaches the others', { skip }, async () => {
    const a = nodes['node-a']!.get(sessionStorageRef)!;
    const b = nodes['node-b']!.get(sessionStorageRef)!;
    const c = nodes['node-c']!.get(sessionStorageRef)!;
    const seen: Record<string, SessionRemoval[]> = { a: [], b: [], c: [] };
    const unsubscribe = [a.onRemoved!((r) => seen['a']!.push(r)), b.onRemoved!((r) => seen['b']!.push(r)), c.onRemoved!((r) => seen['c']!.push(r))];
    try {
      const created = session('s-shared', { password: 'alice-secret-password' });
      await a.put(created);
      const onB = await b.get('s-shared');
      assert.equal(onB?.loginName, 'alice');
      assert.equal(onB?.password, 'alice-secret-password', 'the retained password opens on another node with the same passcrypt');
      const stored = await raw.hgetall(`${PREFIX}session:s-shared`);
      assert.match(stored['password']!, /^v1\$scrypt\$/);
      assert.ok(!JSON.stringify(stored).includes('alice-secret-password'), 'no password in clear in Redis');

      await b.touch('s-shared', created.lastActiveAt + 5000);
      assert.equal((await c.get('s-shared'))?.lastActiveAt, created.lastActiveAt + 5000);
      await c.touch('s-shared', created.lastActiveAt + 2000);
      assert.equal((await a.get('s-shared'))?.lastActiveAt, created.lastActiveAt + 5000, 'lastActiveAt never moves back');

      assert.deepEqual((await c.listByUser(1, 3)).map((s) => s.sessionId), ['s-shared']);
      assert.equal(await c.count(), 1);

      const removed = await b.delete('s-shared');
      assert.equal(removed?.sessionId, 's-shared');
      assert.equal(await a.delete('s-shared'), undefined, 'only one node gets the removed session');
      // sessiond fires the hook on the node that removed it; the storage tells the others.
      await (b as SessionStorage & { announceRemoval(r: SessionRemoval): Promise<void> }).announceRemoval({ session: removed!, reason: 'logout' });
      await eventually(() => seen['a']!.length === 1 && seen['c']!.length === 1, 'the removal on nodes a and c');
      assert.equal(seen['b']!.length, 0);
      assert.equal(seen['a']![0]!.reason, 'logout');
      assert.equal(seen['a']![0]!.session.sessionId, 's-shared');
      assert.equal(seen['a']![0]!.session.password, undefined);
      assert.deepEqual(await a.listByUser(1, 3), []);
    } finally {
      unsubscribe.forEach((u) => u());
    }
  });

  test('push credentials live sealed in Redis and open on every node', { skip }, async () => {
    const a = nodes['node-a']!.get(credentialStorageRef)!;
    const c = nodes['node-c']!.get(credentialStorageRef)!;
    await a.store({ contextId: 1, userId: 7 }, { login: 'bob', password: 'bob-imap-password' });
    const value = await raw.get(`${PREFIX}credentials:1:7`);
    assert.ok(value !== null && !value.includes('bob-imap-password'));
    assert.deepEqual(await c.get({ contextId: 1, userId: 7 }), { login: 'bob', password: 'bob-imap-password' });
    // Bound to its owner: copied to another user it does not open.
    await raw.set(`${PREFIX}credentials:1:8`, value);
    await assert.rejects(c.get({ contextId: 1, userId: 8 }), { code: 'CRD-0002' });
    await c.remove({ contextId: 1, userId: 8 });
    assert.equal(await a.get({ contextId: 1, userId: 8 }), undefined);
  });

  test('a broadcast reaches every other member, not the sender', { skip }, async () => {
    const got: Record<string, Array<[unknown, string]>> = {};
    const unsubscribe = Object.entries(nodes).map(([id, node]) =>
      node.get(clusterServiceRef)!.onBroadcast('push.registrations', (message, from) => (got[id] ??= []).push([message, from])));
    try {
      // Subscriptions are made in the background; send until both others heard one.
      await eventually(async () => {
        await nodes['node-a']!.get(clusterServiceRef)!.broadcast('push.registrations', { changed: 1 });
        await new Promise((r) => setTimeout(r, 50));
        return got['node-b'] !== undefined && got['node-c'] !== undefined;
      }, 'the broadcast on nodes b and c');
      assert.deepEqual(got['node-b']![0], [{ changed: 1 }, 'node-a']);
      assert.equal(got['node-a'], undefined);
    } finally {
      unsubscribe.forEach((u) => u());
    }
  });

  test('the redis health check', { skip }, async () => {
    const check = nodes['node-a']!.getAll(healthCheckRef).find((h) => h.name === 'redis')!;
    const result = await check.check();
    assert.equal(result.healthy, true);
    assert.match(result.detail ?? '', /node-a, node-b, node-c/);
  });

  test('after a Redis restart without persistence the nodes re-join and write back sessions and credentials', { skip }, async () => {
    const a = nodes['node-a']!;
    await a.get(sessionStorageRef)!.put(session('s-survivor'));
    await a.get(credentialStorageRef)!.store({ contextId: 1, userId: 9 }, { login: 'carol', password: 'carol-password' });
    const changes: number[] = [];
    const unsubscribe = nodes['node-b']!.get(clusterServiceRef)!.onChange(() => changes.push(nodes['node-b']!.get(clusterServiceRef)!.members().length));

    await redis.restart();
    assert.equal(await raw.exists(`${PREFIX}session:s-survivor`), 0, 'the restart emptied Redis');

    await eventually(async () => (await nodes['node-b']!.get(sessionStorageRef)!.get('s-survivor')) !== undefined, 'the session written back', 10_000);
    assert.deepEqual(await nodes['node-c']!.get(credentialStorageRef)!.get({ contextId: 1, userId: 9 }), { login: 'carol', password: 'carol-password' });
    await eventually(async () => (await raw.zrange(`${PREFIX}members`, 0, -1)).length === 3, 'every node announced again', 10_000);
    for (const node of Object.values(nodes)) {
      await eventually(() => node.get(clusterServiceRef)!.connected(), 'connected again');
      assert.deepEqual(node.get(clusterServiceRef)!.members().map((m) => m.id), ['node-a', 'node-b', 'node-c']);
    }
    unsubscribe();
    assert.ok(changes.every((n) => n === 3), `membership did not flap during the restart: ${changes.join(',')}`);
    const check = nodes['node-a']!.getAll(healthCheckRef).find((h) => h.name === 'redis')!;
    assert.equal((await check.check()).healthy, true);
  });

  test('a node that leaves is gone from every view', { skip }, async () => {
    const changed = new Promise<void>((resolve) => {
      const unsubscribe = nodes['node-a']!.get(clusterMembershipRef)!.onChange(() => {
        unsubscribe();
        resolve();
      });
    });
    await nodes['node-b']!.stop();
    delete nodes['node-b'];
    await changed;
    assert.deepEqual(nodes['node-a']!.get(clusterMembershipRef)!.members(), ['node-a']);
    await eventually(() => nodes['node-c']!.get(clusterServiceRef)!.members().length === 2, 'node-c to see two members');
  });
});
