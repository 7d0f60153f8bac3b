import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, notificationKey } from './canonical-key.js';
import { createNotificationBuffer } from './notification-buffer.js';

const n = (messageData: Record<string, unknown>, extra: object = {}) => ({ contextId: 1, userId: 2, topic: 'ox:mail:new', messageData, ...extra });

describe('canonical key', () => {
  it('ignores key order at every level, keeps array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
    assert.equal(notificationKey(n({ a: 1, b: { y: 1, x: 2 } })), notificationKey(n({ b: { x: 2, y: 1 }, a: 1 })));
    assert.notEqual(notificationKey(n({ list: [1, 2] })), notificationKey(n({ list: [2, 1] })));
    assert.notEqual(notificationKey(n({})), notificationKey(n({}, { sourceToken: 't' })));
  });
});

describe('notification buffer', () => {
  it('resets the due time of identical notifications up to the cap', () => {
    const buffer = createNotificationBuffer({ delayDuration: 100, maxDelayDuration: 250 });
    assert.equal(buffer.add(n({ id: 1 }), 0), true);
    assert.equal(buffer.add(n({ id: 1 }), 90), false);
    assert.deepEqual(buffer.takeDue(100), []);
    assert.equal(buffer.add(n({ id: 1 }), 180), false);
    assert.deepEqual(buffer.takeDue(249), []);
    assert.equal(buffer.takeDue(250).length, 1, 'first arrival + maxDelayDuration');
    assert.equal(buffer.size, 0);
  });

  it('hands out due notifications in first-arrival order and everything on takeAll', () => {
    const buffer = createNotificationBuffer({ delayDuration: 10, maxDelayDuration: 100 });
    buffer.add(n({ id: 'a' }), 0);
    buffer.add(n({ id: 'b' }), 1);
    buffer.add(n({ id: 'c' }), 50);
    assert.deepEqual(buffer.takeDue(11).map((x) => x.messageData.id), ['a', 'b']);
    buffer.add(n({ id: 'd' }), 51);
    assert.deepEqual(buffer.takeAll().map((x) => x.messageData.id), ['c', 'd']);
  });
});
