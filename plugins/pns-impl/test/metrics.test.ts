import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineBundle, pushNotificationServiceRef, pushTransportRef, subscriptionStoreRef, type DeliveryOutcome, type PushMatch } from '@keel/plugin-sdk';
import { readMetrics } from '@keel/plugin-sdk/testing';
import { createManualClock, createRecordingTransport, startPnsKernel } from './support.js';

/** Polls a condition on state the test controls (bounded; only the outcome is asserted). */
async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !(await condition()); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(await condition(), `gave up waiting for ${what}`);
}

/** A transport whose deliveries always throw (a vendor API that is down). */
const brokenTransport = defineBundle({
  provides: [pushTransportRef],
  start({ register }) {
    register(pushTransportRef, {
      id: 'broken',
      implicitInterest: (topic: string) => (topic.startsWith('ox:mail:') ? { client: 'broken-client' } : undefined),
      isEnabled: async () => true,
      deliver: async () => {
        throw new Error('vendor API unavailable');
      },
    });
  },
});

/** A transport that handles its failures itself and reports them: `deliver` resolves to `outcome`. */
function reportingTransport(outcome: () => DeliveryOutcome | undefined) {
  const handed: PushMatch[][] = [];
  const bundle = defineBundle({
    provides: [pushTransportRef],
    start({ register }) {
      register(pushTransportRef, {
        id: 'reporting',
        isEnabled: async () => true,
        deliver: async (_notification, matches) => {
          handed.push([...matches]);
          return outcome();
        },
      });
    },
  });
  return { bundle, handed };
}

describe('metrics source', () => {
  it('reports buffered and queued notifications, handled, and per-transport outcomes', async () => {
    const clock = createManualClock();
    const transport = createRecordingTransport('test', { implicitClient: 'test-client' });
    const kit = await startPnsKernel({
      clock,
      bundles: { 'test-transport': transport.bundle, 'broken-transport': brokenTransport },
      properties: { 'com.openexchange.pns.numProcessorThreads': '1', 'com.openexchange.pns.maxProcessorTasks': '10' },
    });
    try {
      const collect = () => readMetrics(kit.kernel, 'pns-impl');
      const before = await collect();
      assert.equal(before.value('keel_pns_queue_depth', { stage: 'buffer' }), 0);
      assert.equal(before.value('keel_pns_delivered_total', { transport: 'websocket' }), 0, 'shipped transports have a series before the first delivery');
      assert.equal(before.value('keel_pns_delivered_total', { transport: 'test' }), 0, 'registered transports too');

      const pns = kit.kernel.get(pushNotificationServiceRef)!;
      const alice = kit.userIds.alice!;
      // Three (context, topic) groups: one runs (held in the transport), two wait in the queue.
      await pns.handle({ contextId: kit.contextId, userId: alice, topic: 'ox:mail:new', messageData: { id: 1 } });
      await pns.handle({ contextId: kit.contextId, userId: alice, topic: 'ox:mail:new', messageData: { id: 2 } });
      await pns.handle({ contextId: kit.contextId, userId: alice, topic: 'ox:mail:t1', messageData: { id: 3 } });
      await pns.handle({ contextId: kit.contextId, userId: alice, topic: 'ox:mail:t2', messageData: { id: 4 } });
      let figures = await collect();
      assert.equal(figures.value('keel_pns_queue_depth', { stage: 'buffer' }), 4);
      assert.equal(figures.value('keel_pns_queue_depth', { stage: 'queue' }), 0);
      assert.equal(figures.value('keel_pns_notifications_handled_total'), 4);

      const release = transport.hold();
      await clock.advance(60_000);
      // The first group's two notifications are delivered side by side.
      await until(() => transport.waiting === 2, 'the first group to reach the transport');
      figures = await collect();
      assert.equal(figures.value('keel_pns_queue_depth', { stage: 'buffer' }), 0);
      assert.equal(figures.value('keel_pns_queue_depth', { stage: 'queue' }), 2, 'two groups of one notification wait behind the running one');

      release();
      await transport.waitForDeliveries(4);
      await until(async () => (await collect()).value('keel_pns_failed_total', { transport: 'broken' }) === 4 && pns.stats().inFlight === 0, 'the last group to finish');
      figures = await collect();
      assert.equal(figures.value('keel_pns_queue_depth', { stage: 'queue' }), 0);
      assert.equal(figures.value('keel_pns_delivered_total', { transport: 'test' }), 4);
      assert.equal(figures.value('keel_pns_failed_total', { transport: 'test' }), 0);
      assert.equal(figures.value('keel_pns_delivered_total', { transport: 'broken' }), 0);
      assert.equal(figures.value('keel_pns_failed_total', { transport: 'broken' }), 4);
      const types = Object.fromEntries(figures.families.map((f) => [f.name, f.type]));
      assert.deepEqual(types, {
        keel_pns_queue_depth: 'gauge', keel_pns_notifications_handled_total: 'counter', keel_pns_delivered_total: 'counter', keel_pns_failed_total: 'counter',
      });
    } finally {
      await kit.stop();
    }
  });

  it('counts the matches a transport reports as not delivered as failed, the rest as delivered', async () => {
    let next: DeliveryOutcome | undefined = { failed: 1 };
    const transport = reportingTransport(() => next);
    const kit = await startPnsKernel({ bundles: { 'reporting-transport': transport.bundle } });
    try {
      const store = kit.kernel.get(subscriptionStoreRef)!;
      const pns = kit.kernel.get(pushNotificationServiceRef)!;
      const alice = kit.userIds.alice!;
      for (const token of ['phone', 'tablet', 'watch']) {
        await store.subscribe({ contextId: kit.contextId, userId: alice, token, client: 'mobile', transport: 'reporting', topics: ['ox:mail:new'] });
      }
      const send = (id: number) => pns.deliverNow({ contextId: kit.contextId, userId: alice, topic: 'ox:mail:new', messageData: { id } });
      const figures = async () => {
        const metrics = await readMetrics(kit.kernel, 'pns-impl');
        return [metrics.value('keel_pns_delivered_total', { transport: 'reporting' }), metrics.value('keel_pns_failed_total', { transport: 'reporting' })];
      };

      assert.deepEqual(await send(1), { matches: 3 });
      assert.equal(transport.handed.at(-1)?.length, 3, 'the three matches in one deliver call');
      assert.deepEqual(await figures(), [2, 1], '{ failed: 1 } of 3 matches: 2 delivered, 1 failed');
      assert.equal(pns.stats().delivered['reporting'], 2);
      assert.equal(pns.stats().failed['reporting'], 1);

      next = undefined;
      await send(2);
      assert.deepEqual(await figures(), [5, 1], 'nothing returned: all delivered');

      next = { failed: 0 };
      await send(3);
      assert.deepEqual(await figures(), [8, 1]);

      next = { failed: 7 };
      await send(4);
      assert.deepEqual(await figures(), [8, 4], 'more failed than matches is capped at the matches');
    } finally {
      await kit.stop();
    }
  });
});
