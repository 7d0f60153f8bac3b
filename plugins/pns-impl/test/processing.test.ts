import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pushNotificationServiceRef } from '@keel/plugin-sdk';
import { createManualClock, createRecordingTransport, startPnsKernel } from './support.js';

/** Polls a condition on state the test controls (bounded; only the outcome is asserted). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), `gave up waiting for ${what}`);
}

describe('bounded processing', () => {
  it('with maxProcessorTasks=1 and one processor the callers do the work: nothing is lost', async () => {
    const transport = createRecordingTransport('test', { implicitClient: 'test-client' });
    const kit = await startPnsKernel({
      bundles: { 'test-transport': transport.bundle },
      properties: {
        'com.openexchange.pns.delayDuration': '0',
        'com.openexchange.pns.numProcessorThreads': '1',
        'com.openexchange.pns.maxProcessorTasks': '1',
      },
    });
    try {
      const pns = kit.kernel.get(pushNotificationServiceRef)!;
      const release = transport.hold();
      const count = 60;
      const handled = Array.from({ length: count }, (_, i) =>
        pns.handle({ contextId: kit.contextId, userId: kit.userIds.alice!, topic: 'ox:mail:new', messageData: { id: i } }));
      // One task runs, one waits in the queue, every other caller runs its own work (and waits with it).
      await until(() => transport.waiting === count - 1, 'the worker and the callers to reach the transport');
      const stats = pns.stats();
      assert.equal(stats.queued, 1, 'the queue never holds more than maxProcessorTasks');
      assert.equal(stats.inFlight, count - 1);
      release();
      await Promise.all(handled);
      await transport.waitForDeliveries(count);
      const ids = transport.deliveries.map((d) => d.notification.messageData.id as number).sort((a, b) => a - b);
      assert.deepEqual(ids, Array.from({ length: count }, (_, i) => i), 'every notification delivered exactly once');
      await until(() => pns.stats().inFlight === 0, 'the last task to finish');
      assert.equal(pns.stats().delivered.test, count);
    } finally {
      await kit.stop();
    }
  });

  it('due notifications beyond the bound are processed by the timer itself (back-pressure), none dropped', async () => {
    const clock = createManualClock();
    const transport = createRecordingTransport('test', { implicitClient: 'test-client' });
    const kit = await startPnsKernel({
      clock,
      bundles: { 'test-transport': transport.bundle },
      properties: { 'com.openexchange.pns.numProcessorThreads': '1', 'com.openexchange.pns.maxProcessorTasks': '1' },
    });
    try {
      const pns = kit.kernel.get(pushNotificationServiceRef)!;
      const count = 20;
      // Distinct topics: twenty (context, topic) groups, twenty tasks.
      for (let i = 0; i < count; i++) await pns.handle({ contextId: kit.contextId, userId: kit.userIds.alice!, topic: `ox:mail:t${i}`, messageData: { id: i } });
      assert.equal(pns.stats().buffered, count);
      const release = transport.hold();
      const ticking = clock.advance(1000);
      await until(() => transport.waiting === 2, 'the worker and the timer to reach the transport');
      assert.equal(pns.stats().queued, 1);
      release();
      await ticking;
      await transport.waitForDeliveries(count);
      assert.deepEqual(transport.deliveries.map((d) => d.notification.topic).sort(), Array.from({ length: count }, (_, i) => `ox:mail:t${i}`).sort());
    } finally {
      await kit.stop();
    }
  });
});

describe('shutdown', () => {
  it('delivers what is buffered and queued before the bundle stops', async () => {
    const clock = createManualClock();
    const transport = createRecordingTransport('test', { implicitClient: 'test-client' });
    const kit = await startPnsKernel({
      clock,
      bundles: { 'test-transport': transport.bundle },
      properties: { 'com.openexchange.pns.numProcessorThreads': '1', 'com.openexchange.pns.maxProcessorTasks': '100' },
    });
    const pns = kit.kernel.get(pushNotificationServiceRef)!;
    const alice = kit.userIds.alice!;
    const release = transport.hold();
    for (let i = 0; i < 5; i++) await pns.handle({ contextId: kit.contextId, userId: alice, topic: `ox:mail:queued${i}`, messageData: { id: `queued-${i}` } });
    await clock.advance(1000);
    await until(() => transport.waiting === 1, 'the first task to reach the transport');
    assert.equal(pns.stats().queued, 4);
    for (let i = 0; i < 5; i++) await pns.handle({ contextId: kit.contextId, userId: alice, topic: 'ox:mail:new', messageData: { id: `buffered-${i}` } });
    assert.equal(pns.stats().buffered, 5);

    const stopping = kit.stop();
    release();
    await stopping;
    assert.deepEqual(
      transport.deliveries.map((d) => String(d.notification.messageData.id)).sort(),
      [...Array.from({ length: 5 }, (_, i) => `buffered-${i}`), ...Array.from({ length: 5 }, (_, i) => `queued-${i}`)].sort(),
    );
  });
});
