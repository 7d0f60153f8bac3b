import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APNS_MAX_PAYLOAD_BYTES, apnsMessage } from './apns-payload.js';

const mail = (data: Record<string, unknown>) => apnsMessage({ contextId: 1, userId: 3, topic: 'ox:mail:new', messageData: data });

test('ox:mail:new: title from display name or address, body = subject, badge = unread', () => {
  const message = mail({ folder: 'default0/INBOX', id: '1', email: 'a@b.c', displayname: 'A B', subject: 'Hi', unread: 2 });
  assert.equal(message.pushType, 'alert');
  assert.equal(message.priority, 10);
  assert.deepEqual(JSON.parse(message.payload), { aps: { alert: { title: 'A B', body: 'Hi' }, sound: 'default', badge: 2 }, topic: 'ox:mail:new', folder: 'default0/INBOX', id: '1' });
  assert.deepEqual(JSON.parse(mail({ email: 'a@b.c' }).payload).aps, { alert: { title: 'a@b.c', body: '' }, sound: 'default' });
  assert.equal(JSON.parse(mail({ unread: -1 }).payload).aps.badge, undefined, 'no badge from a bogus count');
});

test('an oversized alert is cut by whole characters, multi-byte ones included', () => {
  for (const subject of ['x'.repeat(10_000), 'ü'.repeat(5000), '😀'.repeat(3000), '"\\'.repeat(3000)]) {
    const payload = mail({ subject, displayname: 'Jane' }).payload;
    assert.ok(Buffer.byteLength(payload) <= APNS_MAX_PAYLOAD_BYTES, 'fits');
    assert.ok(Buffer.byteLength(payload) > APNS_MAX_PAYLOAD_BYTES - 16, 'and uses the room');
    const body: string = JSON.parse(payload).aps.alert.body;
    assert.ok(body.endsWith('…'));
    assert.ok(subject.startsWith(body.slice(0, -1)), 'no broken character');
  }
});

test('other topics wake the app with the plain fields that fit', () => {
  const message = apnsMessage({ contextId: 1, userId: 3, topic: 'ox:drive:changed', messageData: { folder: '7', big: 'x'.repeat(5000), nested: { a: 1 } } });
  assert.equal(message.pushType, 'background');
  assert.equal(message.priority, 5);
  assert.deepEqual(JSON.parse(message.payload), { aps: { 'content-available': 1 }, topic: 'ox:drive:changed', folder: '7' });
});
