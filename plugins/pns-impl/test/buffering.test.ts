import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pushNotificationServiceRef, type PushNotificationService } from '@keel/plugin-sdk';
import { createManualClock, createRecordingTransport, startPnsKernel, type ManualClock, type PnsKernel, type RecordingTransport } from './support.js';

/** Buffering with time moved by hand: delayDuration 1000, maxDelayDuration 10000, timerFrequency 500 (the defaults). */
describe('notification buffer (controlled clock)', () => {
  let clock: ManualClock;
  let transport: RecordingTransport;
  let kit: PnsKernel;
  let pns: PushNotificationService;
  let alice: number;
  let bob: number;
  const mail = (messageData: Record<string, unknown>, userId = alice) => ({ contextId: kit.contextId, userId, topic: 'ox:mail:new', messageData });

  before(async () => {
    clock = createManualClock();
    transport = createRecordingTransport('test', { implicitClient: 'test-client' });
    kit = await startPnsKernel({ clock, bundles: { 'test-transport': transport.bundle } });
    pns = kit.kernel.get(pushNotificationServiceRef)!;
    alice = kit.userIds.alice!;
    bob = kit.userIds.bob!;
  });
  after(() => kit?.stop());

  /** Deliveries so far; the buffer is empty and nothing runs, so the count is final. */
  async function settled(expected: number): Promise<void> {
    await transport.waitForDeliveries(expected);
    assert.equal(pns.stats().buffered, 0);
    assert.equal(transport.deliveries.length, expected);
  }

  it('holds a notification for delayDuration, checked every timerFrequency', async () => {
    transport.deliveries.length = 0;
    await pns.handle(mail({ id: 'one' }));
    await clock.advance(500);
    assert.equal(transport.deliveries.length, 0, 'not due after 500 ms');
    assert.equal(pns.stats().buffered, 1);
    await clock.advance(500);
    await settled(1);
    assert.deepEqual(transport.deliveries[0]!.notification.messageData, { id: 'one' });
    assert.deepEqual(transport.deliveries[0]!.matches.map((m) => [m.userId, m.client, m.transport, m.topic]), [[alice, 'test-client', 'test', 'ox:mail:new']]);
  });

  it('an identical notification resets the due time instead of queueing a second one', async () => {
    transport.deliveries.length = 0;
    await pns.handle(mail({ id: 'reset', unread: 3 }));
    await clock.advance(500);
    // Same data, keys in another order: the same notification.
    await pns.handle(mail({ unread: 3, id: 'reset' }));
    await clock.advance(500);
    assert.equal(transport.deliveries.length, 0, 'due time moved to 1500 ms');
    assert.equal(pns.stats().buffered, 1);
    await clock.advance(500);
    await settled(1);
  });

  it('never holds a notification longer than maxDelayDuration after its first arrival', async () => {
    transport.deliveries.length = 0;
    await pns.handle(mail({ id: 'capped' }));
    for (let elapsed = 500; elapsed < 10_000; elapsed += 500) {
      await clock.advance(500);
      assert.equal(transport.deliveries.length, 0, `still buffered at ${elapsed} ms`);
      await pns.handle(mail({ id: 'capped' }));
    }
    await clock.advance(500);
    await settled(1);
  });

  it('notifications that differ in data, user, topic or source token are kept apart', async () => {
    transport.deliveries.length = 0;
    await pns.handle(mail({ id: 'a' }));
    await pns.handle(mail({ id: 'b' }));
    await pns.handle(mail({ id: 'a' }, bob));
    await pns.handle({ ...mail({ id: 'a' }), topic: 'ox:mail:other' });
    await pns.handle({ ...mail({ id: 'a' }), sourceToken: 'device-1' });
    await pns.handle(mail({ id: 'a' }));
    assert.equal(pns.stats().buffered, 5);
    await clock.advance(1000);
    await settled(5);
    const seen = transport.deliveries.map((d) => `${d.notification.userId === bob ? 'bob' : 'alice'} ${d.notification.topic} ${String(d.notification.messageData.id)} ${d.notification.sourceToken ?? '-'}`).sort();
    assert.deepEqual(seen, [
      'alice ox:mail:new a -', 'alice ox:mail:new a device-1', 'alice ox:mail:new b -', 'alice ox:mail:other a -', 'bob ox:mail:new a -',
    ]);
  });

  it('rejects notifications with an invalid topic or ids', async () => {
    await assert.rejects(pns.handle({ ...mail({}), topic: 'ox::mail' }), { code: 'PNS-0001' });
    await assert.rejects(pns.handle({ ...mail({}), topic: 'ox:mail:*' }), { code: 'PNS-0001' });
    await assert.rejects(pns.handle({ ...mail({}), userId: -1 }), { code: 'PNS-0004' });
    await assert.rejects(pns.handle({ ...mail({}), contextId: 1.5 }), { code: 'PNS-0004' });
  });
});

describe('delayDuration=0', () => {
  it('delivers at once, without waiting for a timer tick', async () => {
    const clock = createManualClock();
    const transport = createRecordingTransport('test', { implicitClient: 'test-client' });
    const kit = await startPnsKernel({ clock, bundles: { 'test-transport': transport.bundle }, properties: { 'com.openexchange.pns.delayDuration': '0' } });
    try {
      const pns = kit.kernel.get(pushNotificationServiceRef)!;
      await pns.handle({ contextId: kit.contextId, userId: kit.userIds.alice!, topic: 'ox:mail:new', messageData: { id: 'now' } });
      // The clock never moves: the delivery cannot come from the timer.
      await transport.waitForDeliveries(1);
      assert.deepEqual(transport.deliveries[0]!.notification.messageData, { id: 'now' });
      assert.equal(pns.stats().buffered, 0);
    } finally {
      await kit.stop();
    }
  });
});
