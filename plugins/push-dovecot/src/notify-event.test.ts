import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKeelError } from '@keel/plugin-sdk';
import { parseNotifyEvent } from './notify-event.js';

const code = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (isKeelError(error)) return `${error.code} ${error.message}`;
    throw error;
  }
};

const full = { user: '3@1', event: 'messageNew', folder: 'INBOX', 'imap-uidvalidity': 1700000000, 'imap-uid': 17, from: 'a@b.c', subject: 's', snippet: 't', unseen: 4 };

test('a full messageNew body', () => {
  assert.deepEqual(parseNotifyEvent(full, undefined), {
    kind: 'messageNew',
    event: { user: '3@1', folder: 'INBOX', uid: 17, uidValidity: 1700000000, from: 'a@b.c', subject: 's', snippet: 't', unseen: 4 },
  });
});

test('the body may arrive unparsed (another content type)', () => {
  assert.equal(parseNotifyEvent(undefined, Buffer.from(JSON.stringify(full))).kind, 'messageNew');
  assert.equal(parseNotifyEvent(Buffer.from(JSON.stringify(full)), undefined).kind, 'messageNew');
});

test('other events are ignored, not refused', () => {
  assert.deepEqual(parseNotifyEvent({ event: 'messageRead', user: '3@1' }, undefined), { kind: 'ignored', event: 'messageRead' });
  assert.deepEqual(parseNotifyEvent({ event: 'MessageNew' }, undefined), { kind: 'ignored', event: 'MessageNew' }, 'the event name is case-sensitive');
});

test('empty or malformed bodies: DOV-0001', () => {
  assert.match(code(() => parseNotifyEvent(undefined, undefined)), /^DOV-0001 .*empty/);
  assert.match(code(() => parseNotifyEvent(undefined, Buffer.from('  '))), /^DOV-0001 .*empty/);
  assert.match(code(() => parseNotifyEvent(undefined, Buffer.from('{"user":'))), /^DOV-0001 .*not JSON/);
  assert.match(code(() => parseNotifyEvent([full], undefined)), /^DOV-0001 .*an array/);
  assert.match(code(() => parseNotifyEvent('text', undefined)), /^DOV-0001 .*string/);
  assert.match(code(() => parseNotifyEvent(null, Buffer.from('null'))), /^DOV-0001 .*null/);
});

test('missing or mistyped fields: DOV-0002 naming them', () => {
  assert.match(code(() => parseNotifyEvent({ user: '3@1' }, undefined)), /^DOV-0002 .*: missing field event$/);
  assert.match(code(() => parseNotifyEvent({ event: 'messageNew' }, undefined)), /^DOV-0002 .*missing fields user, folder, imap-uid/);
  assert.match(code(() => parseNotifyEvent({ ...full, folder: undefined }, undefined)), /missing field folder/);
  assert.match(code(() => parseNotifyEvent({ ...full, 'imap-uid': '17' }, undefined)), /imap-uid must be an integer/);
  assert.match(code(() => parseNotifyEvent({ ...full, 'imap-uid': 0 }, undefined)), /imap-uid must be a positive integer/);
  assert.match(code(() => parseNotifyEvent({ ...full, user: 3 }, undefined)), /user must be a string/);
  assert.match(code(() => parseNotifyEvent({ ...full, unseen: 'four' }, undefined)), /unseen must be an integer/);
  assert.match(code(() => parseNotifyEvent({ ...full, subject: ['x'] }, undefined)), /subject must be a string/);
  assert.match(code(() => parseNotifyEvent({ ...full, event: 5 }, undefined)), /event must be a string/);
});
