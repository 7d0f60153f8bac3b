import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  databaseRef, defineBundle, pnsBeforeDeliverHook, pushNotificationServiceRef, pushTransportRef, subscriptionStoreRef,
  type PushNotification,
} from '@keel/plugin-sdk';
import { createNotificationDispatcher } from '../src/notification-dispatcher.js';
import { createPushNotificationService } from '../src/push-notification-service.js';
import { createSqlSubscriptionStore } from '../src/sql-subscription-store.js';
import { createManualClock, createRecordingTransport, startPnsKernel, type PnsKernel, type RecordingTransport } from './support.js';

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child() { return silent; } };

describe('dispatch: grouping, one lookup per (context, topic), echo suppression', () => {
  let kit: PnsKernel;
  let transport: RecordingTransport;

  before(async () => {
    transport = createRecordingTransport('test');
    kit = await startPnsKernel({ bundles: { 'test-transport': transport.bundle }, users: ['alice', 'bob', 'carol'] });
  });
  after(() => kit?.stop());

  it('looks subscriptions up once per group and never echoes to the source token', async () => {
    const store = kit.kernel.get(subscriptionStoreRef)!;
    const { alice, bob, carol } = kit.userIds as Record<string, number>;
    const cid = kit.contextId;
    await store.subscribe({ contextId: cid, userId: alice!, token: 'alice-phone', client: 'mobile', transport: 'test', topics: ['ox:mail:*'] });
    await store.subscribe({ contextId: cid, userId: alice!, token: 'alice-tablet', client: 'mobile', transport: 'test', topics: ['ox:mail:new'] });
    await store.subscribe({ contextId: cid, userId: bob!, token: 'bob-phone', client: 'mobile', transport: 'test', topics: ['*'] });
    await store.subscribe({ contextId: cid, userId: carol!, token: 'carol-phone', client: 'mobile', transport: 'test', topics: ['ox:calendar:updates'] });

    // The real SQL store on the kernel's database, with its lookups counted.
    const clock = createManualClock();
    const sql = createSqlSubscriptionStore({ database: kit.kernel.get(databaseRef)!, now: clock.now, maxPerClient: () => 0, sharesToken: () => false });
    const lookups: string[] = [];
    const counted = { ...sql, interested: (contextId: number, userIds: readonly number[], topic: string) => {
      lookups.push(`${contextId} ${topic} [${[...userIds].sort().join(',')}]`);
      return sql.interested(contextId, userIds, topic);
    } };
    const dispatcher = createNotificationDispatcher({
      store: counted,
      transports: () => kit.kernel.getAll(pushTransportRef),
      beforeDeliver: async (n) => n,
      logger: silent,
    });
    const service = createPushNotificationService({
      settings: { delayDuration: 1000, maxDelayDuration: 10_000, timerFrequency: 500, numProcessorThreads: 4, maxProcessorTasks: 100, maxSubscriptionsPerClient: 0, subscriptionCleanupInterval: 60_000 },
      clock,
      dispatcher,
      logger: silent,
    });
    service.start();
    const notify = (userId: number, topic: string, messageData: Record<string, unknown>, sourceToken?: string): PushNotification =>
      ({ contextId: cid, userId, topic, messageData, ...(sourceToken === undefined ? {} : { sourceToken }) });
    await service.handle(notify(alice!, 'ox:mail:new', { id: 1 }));
    await service.handle(notify(bob!, 'ox:mail:new', { id: 2 }));
    await service.handle(notify(alice!, 'ox:mail:new', { id: 3 }, 'alice-phone'));
    await service.handle(notify(carol!, 'ox:calendar:updates', { folders: ['cal://0/1'] }));
    await service.handle(notify(alice!, 'ox:calendar:updates', { folders: ['cal://0/2'] }));
    await clock.advance(1000);
    await service.stop();

    assert.deepEqual(lookups.sort(), [
      `${cid} ox:calendar:updates [${[alice, carol].sort().join(',')}]`,
      `${cid} ox:mail:new [${[alice, bob].sort().join(',')}]`,
    ]);
    const delivered = transport.deliveries.map((d) => `${String(d.notification.messageData.id ?? d.notification.messageData.folders)} → ${d.matches.map((m) => m.token).sort().join(' ')}`).sort();
    assert.deepEqual(delivered, [
      '1 → alice-phone alice-tablet',
      '2 → bob-phone',
      '3 → alice-tablet',
      'cal://0/1 → carol-phone',
    ]);
    for (const { notification, matches } of transport.deliveries) {
      for (const match of matches) {
        assert.equal(match.topic, notification.topic);
        assert.equal(match.userId, notification.userId);
      }
    }
    assert.deepEqual(service.stats().delivered, { test: 5 });
  });
});

describe('pns.before-deliver hook', () => {
  it('may rewrite a notification before delivery', async () => {
    const transport = createRecordingTransport('test', { implicitClient: 'test-client' });
    const enricher = defineBundle({
      start({ hooks }) {
        hooks.get(pnsBeforeDeliverHook).tapPromise('enricher', async (n) => ({ ...n, messageData: { ...n.messageData, enriched: true } }));
      },
    });
    const kit = await startPnsKernel({ bundles: { 'test-transport': transport.bundle, enricher }, properties: { 'com.openexchange.pns.delayDuration': '0' } });
    try {
      const pns = kit.kernel.get(pushNotificationServiceRef)!;
      await pns.handle({ contextId: kit.contextId, userId: kit.userIds.alice!, topic: 'ox:mail:new', messageData: { id: 'x' } });
      await transport.waitForDeliveries(1);
      assert.deepEqual(transport.deliveries[0]!.notification.messageData, { id: 'x', enriched: true });
    } finally {
      await kit.stop();
    }
  });
});
