// The websockets bundle follows the cluster's Socket.IO adapter: emits cross nodes while
// cluster-redis runs; when it stops, websockets rebuilds a local server and keeps serving; when
// it comes back, emits cross nodes again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sessionServiceRef, webSocketServiceRef, type Session, type SessionService } from '@keel/plugin-sdk';
import type { TestKernel } from '@keel/plugin-sdk/testing';
import { redisSkipReason, startRedis, type RedisServer } from '@keel/test/harness';
import { connectSocket, eventually, loadBundle, startNode } from './support.js';

async function sessionOn(node: TestKernel, userId: number): Promise<{ session: Session; cookie: string }> {
  const sessions = node.get(sessionServiceRef) as SessionService;
  const session = await sessions.create({ contextId: 1, userId, loginName: `user${userId}`, client: 'open-xchange-appsuite', ip: '127.0.0.1', userAgent: 'keel-cluster-test/1.0' });
  return { session, cookie: `${sessions.cookieName(session)}=${session.secret}` };
}

describe('websockets with and without the cluster adapter', async () => {
  const skip = redisSkipReason();
  let redis: RedisServer;
  const nodes: TestKernel[] = [];

  before(async () => {
    if (skip) return;
    redis = await startRedis();
    const bundles = {
      'storage-sql': await loadBundle('storage-sql'),
      auth: await loadBundle('auth'),
      'auth-database': await loadBundle('auth-database'),
      sessiond: await loadBundle('sessiond'),
      websockets: await loadBundle('websockets'),
    };
    for (const nodeId of ['node-1', 'node-2']) nodes.push(await startNode({ redisUrl: redis.url, prefix: 'keel-ws:', nodeId, bundles, http: true }));
  });

  after(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await redis?.stop();
  });

  test('an emit on one node reaches a socket on the other; stopping and starting cluster-redis rebuilds the server', { skip }, async () => {
    const [one, two] = nodes as [TestKernel, TestKernel];
    const shared = await sessionOn(one, 3);
    const remote = await connectSocket(two.url, shared.session.sessionId, shared.cookie);
    await one.get(webSocketServiceRef)!.emitToUser(1, 3, 'ox:mail:new', { n: 1 });
    await eventually(() => remote.events.some((e) => e.event === 'ox:mail:new'), 'the emit from node 1 on node 2');

    await two.kernel.stopBundle('cluster-redis');
    assert.equal(await remote.disconnected.then(() => true), true, 'the rebuild closes the sockets of the old server');
    assert.equal(two.bundle('websockets')?.state, 'ACTIVE');
    // Without the cluster, node 2 serves its own (memory) sessions on a local Socket.IO server.
    const local = await sessionOn(two, 4);
    const localSocket = await eventually(() => connectSocket(two.url, local.session.sessionId, local.cookie), 'a socket on the rebuilt local server');
    await two.get(webSocketServiceRef)!.emitToUser(1, 4, 'ox:mail:new', { n: 2 });
    await eventually(() => localSocket.events.some((e) => e.event === 'ox:mail:new'), 'a local emit');
    localSocket.socket.close();

    await two.kernel.startBundle('cluster-redis');
    const again = await eventually(() => connectSocket(two.url, shared.session.sessionId, shared.cookie), 'a socket with the Redis session after the restart');
    try {
      await eventually(async () => {
        await one.get(webSocketServiceRef)!.emitToUser(1, 3, 'ox:mail:new', { n: 3 });
        await new Promise((r) => setTimeout(r, 50));
        return again.events.some((e) => e.event === 'ox:mail:new');
      }, 'cross-node emits again');
    } finally {
      again.socket.close();
      remote.socket.close();
    }
  });
});
