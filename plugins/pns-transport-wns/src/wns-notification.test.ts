import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkChannelUri } from './channel-uri.js';
import { WNS_MAX_PAYLOAD_BYTES, wnsNotification } from './wns-notification.js';

test('an oversized toast is shortened by whole characters; control characters are dropped', () => {
  for (const subject of ['x'.repeat(20_000), '"&'.repeat(4000), '😀'.repeat(3000)]) {
    const toast = wnsNotification({ contextId: 1, userId: 3, topic: 'ox:mail:new', messageData: { subject, email: 'a@b.c' } });
    assert.equal(toast.type, 'wns/toast');
    assert.ok(Buffer.byteLength(toast.body) <= WNS_MAX_PAYLOAD_BYTES);
    assert.ok(toast.body.includes('…</text></binding>'));
    assert.ok(!toast.body.includes('\uFFFD'));
  }
  const control = wnsNotification({ contextId: 1, userId: 3, topic: 'ox:mail:new', messageData: { subject: 'a\u0001b', email: 'a@b.c' } });
  assert.match(control.body, /<text>ab<\/text>/);
});

test('an oversized raw notification drops its largest fields, never the topic', () => {
  const raw = wnsNotification({ contextId: 1, userId: 3, topic: 'ox:x', messageData: { big: 'y'.repeat(6000), small: 1 } });
  assert.deepEqual(JSON.parse(raw.body), { small: 1, topic: 'ox:x' });
});

test('channel hosts: subdomain wildcards, exact hosts, https only, no look-alikes', () => {
  const hosts = ['*.notify.windows.com', '127.0.0.1'];
  assert.equal(checkChannelUri('https://db5.notify.windows.com/?token=x', hosts).hostname, 'db5.notify.windows.com');
  assert.equal(checkChannelUri('https://127.0.0.1:8443/w/?token=x', hosts).port, '8443');
  for (const bad of ['https://notify.windows.com/?t', 'https://xnotify.windows.com/', 'https://db5.notify.windows.com.evil/', 'http://db5.notify.windows.com/', 'https://u:p@db5.notify.windows.com/']) {
    assert.throws(() => checkChannelUri(bad, hosts), { code: 'PNS-WNS-0007' }, bad);
  }
});
