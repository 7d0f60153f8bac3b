import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PushListener } from '@keel/plugin-sdk';
import {
  deleteRedisKeys, dovecotSkipReason, redisKeyPrefix, sharedRedisSkipReason, sharedRedisUrl, startDovecot, type DovecotServer,
} from '@keel/test/harness';
import { eventually, mailMessage, startImapIdleKernel, type ImapIdleKernel } from './support.js';

const skip = dovecotSkipReason();

/** clusterLock: none, the fallback when no LockService is registered, and a real Redis lock across two nodes. */
describe('push-imapidle clusterLock', { skip }, () => {
  let dovecot: DovecotServer;
  const kernels: ImapIdleKernel[] = [];
  const listeners: PushListener[] = [];

  const boot = async (properties: Record<string, string>, extra: string[] = []) => {
    const keel = await startImapIdleKernel(dovecot, ['alice'], properties, extra);
    kernels.push(keel);
    return keel;
  };
  const start = async (keel: ImapIdleKernel) => {
    const listener = await keel.manager.startListener({ contextId: keel.context.id, userId: keel.ids['alice']!, permanent: true, client: 'open-xchange-mobile-api-facade', password: 'alice-imap' });
    assert.ok(listener);
    listeners.push(listener);
    return listener;
  };
  const idleOn = (keel: ImapIdleKernel, connects = 1) =>
    eventually(() => {
      const status = keel.listener('alice');
      return status?.state === 'idle' && status.connects >= connects ? status : undefined;
    }, `alice in IDLE (connection ${connects})`);

  before(async () => {
    dovecot = await startDovecot({ users: [{ login: 'alice', password: 'alice-imap' }] });
  });

  after(async () => {
    for (const listener of listeners) await listener.stop();
    for (const keel of kernels) await keel.kernel.stop();
    await dovecot?.stop();
  });

  it('none: every start opens its own connection', async () => {
    const keel = await boot({ 'com.openexchange.push.imapidle.clusterLock': 'none' });
    const [first, second] = [await start(keel), await start(keel)];
    await eventually(() => (keel.manager.listeners().filter((l) => l.state === 'idle').length === 2 ? true : undefined), 'two connections in IDLE');
    await first.stop();
    await second.stop();
    assert.equal(keel.manager.listeners().length, 0);
  });

  it('redis without a registered LockService: falls back to local (one connection per user)', async () => {
    const keel = await boot({ 'com.openexchange.push.imapidle.clusterLock': 'redis' });
    const [first, second] = [await start(keel), await start(keel)];
    await idleOn(keel);
    assert.equal(keel.manager.listeners().length, 1);
    await first.stop();
    assert.equal(keel.listener('alice')?.state, 'idle');
    await second.stop();
    assert.equal(keel.manager.listeners().length, 0);
  });

  it('redis with cluster-redis: one node holds the user, the other takes over when it stops', async (t) => {
    if (await sharedRedisSkipReason(t)) return;
    const prefix = redisKeyPrefix('imapidle');
    t.after(() => deleteRedisKeys(prefix).then(() => undefined));
    const properties = {
      'com.openexchange.push.imapidle.clusterLock': 'redis',
      'com.openexchange.push.imapidle.lockTtlMillis': '1500',
      'keel.cluster.redis.url': sharedRedisUrl,
      'keel.cluster.prefix': prefix,
    };
    const nodeA = await boot({ ...properties, 'keel.cluster.nodeId': 'node-a' }, ['cluster-redis']);
    const nodeB = await boot({ ...properties, 'keel.cluster.nodeId': 'node-b' }, ['cluster-redis']);
    const onA = await start(nodeA);
    await idleOn(nodeA);
    await start(nodeB);
    await eventually(() => (nodeB.listener('alice')?.state === 'waiting-for-lock' ? true : undefined), 'node B waiting for the lock');
    await dovecot.deliver('alice', mailMessage({ fromName: 'Ann', fromAddress: 'ann@example.org', subject: 'to node A', body: 'a' }));
    await eventually(() => (nodeA.forUser('alice').length === 1 ? true : undefined), 'the notification on node A');
    assert.equal(nodeB.listener('alice')?.connects, 0, 'node B never connected while A held the lock');
    await onA.stop();
    await idleOn(nodeB);
    await dovecot.deliver('alice', mailMessage({ fromName: 'Ann', fromAddress: 'ann@example.org', subject: 'to node B', body: 'b' }));
    const [onB] = await eventually(() => (nodeB.forUser('alice').length >= 1 ? nodeB.forUser('alice') : undefined), 'the notification on node B');
    assert.equal(onB!.messageData['subject'], 'to node B');
    assert.equal(nodeA.forUser('alice').length, 1);
  });
});
