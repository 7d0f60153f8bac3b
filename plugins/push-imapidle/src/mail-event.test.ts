import assert from 'node:assert/strict';
import { test } from 'node:test';
import { folderChangedPayload, mailNewPayload } from './mail-event.js';

test('every known field, in the order of the reference table', () => {
  const payload = mailNewPayload('INBOX', { uid: 17, from: { name: 'Jane Doe', address: 'jane@example.org' }, subject: 'Hi', teaser: 'Hello' }, 4);
  assert.deepEqual(Object.entries(payload), [
    ['folder', 'default0/INBOX'], ['id', '17'], ['email', 'jane@example.org'], ['displayname', 'Jane Doe'], ['subject', 'Hi'], ['unread', 4], ['teaser', 'Hello'],
  ]);
});

test('an empty display name, a missing sender and a negative unread count are left out', () => {
  assert.deepEqual(mailNewPayload('INBOX', { uid: 3, from: { name: '  ', address: 'a@b.c' } }, -1), { folder: 'default0/INBOX', id: '3', email: 'a@b.c' });
  assert.deepEqual(mailNewPayload('Lists/x', { uid: 4, subject: '' }, undefined), { folder: 'default0/Lists/x', id: '4', subject: '' });
  assert.deepEqual(folderChangedPayload('INBOX'), { folder: 'default0/INBOX' });
});
