import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstMailbox, mailNewPayload } from './mail-new-payload.js';

const base = { user: '3@1', folder: 'INBOX', uid: 17 };

test('the full mapping of protocols.md §1, keys in order', () => {
  const payload = mailNewPayload({
    ...base, uidValidity: 1700000000,
    from: '=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <joerg@example.com>',
    subject: '=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= =?UTF-8?Q?_aus_Bonn?=',
    snippet: 'first 200 chars of the text',
    unseen: 4,
  });
  assert.deepEqual(payload, {
    folder: 'default0/INBOX', id: '17', email: 'joerg@example.com', displayname: 'Jörg Müller', subject: 'Grüße aus Bonn', unread: 4, teaser: 'first 200 chars of the text',
  });
  assert.deepEqual(Object.keys(payload), ['folder', 'id', 'email', 'displayname', 'subject', 'unread', 'teaser']);
});

test('only folder and id when nothing else is known', () => {
  assert.deepEqual(mailNewPayload({ ...base, folder: 'INBOX/Sub folder' }), { folder: 'default0/INBOX/Sub folder', id: '17' });
});

test('displayname only when the personal part is not empty', () => {
  assert.deepEqual(mailNewPayload({ ...base, from: 'plain@example.org' }), { folder: 'default0/INBOX', id: '17', email: 'plain@example.org' });
  assert.deepEqual(mailNewPayload({ ...base, from: '"" <a@b.c>' }), { folder: 'default0/INBOX', id: '17', email: 'a@b.c' });
  assert.deepEqual(mailNewPayload({ ...base, from: '"  " <a@b.c>' }), { folder: 'default0/INBOX', id: '17', email: 'a@b.c' });
});

test('unread only when present and not negative; 0 counts', () => {
  assert.equal(mailNewPayload({ ...base, unseen: -1 }).unread, undefined);
  assert.equal(mailNewPayload({ ...base, unseen: 0 }).unread, 0);
});

test('an empty subject and an empty snippet are kept as given', () => {
  const payload = mailNewPayload({ ...base, subject: '', snippet: '' });
  assert.equal(payload.subject, '');
  assert.equal(payload.teaser, '');
});

test('From forms: quoted names with commas, ISO-8859-1 words, whole header encoded, several addresses, groups', () => {
  assert.deepEqual(firstMailbox('"Doe, Jane" <jane@x.org>, bob@y.org'), { address: 'jane@x.org', name: 'Doe, Jane' });
  assert.deepEqual(firstMailbox('=?ISO-8859-1?Q?J=F6rg?= <j@x.de>'), { address: 'j@x.de', name: 'Jörg' });
  assert.deepEqual(firstMailbox('=?UTF-8?B?SmFuZSBEb2UgPGphbmVAeC5vcmc+?='), { address: 'jane@x.org', name: 'Jane Doe' });
  assert.deepEqual(firstMailbox('Friends: anna@x.org, ben@x.org;'), { address: 'anna@x.org', name: '' });
  assert.deepEqual(firstMailbox('<only@x.org>'), { address: 'only@x.org', name: '' });
});

test('a From without any address gives neither email nor displayname', () => {
  for (const from of ['', 'garbage <<<', 'undisclosed-recipients:;']) {
    const payload = mailNewPayload({ ...base, from });
    assert.equal(payload.email, undefined, from);
    assert.equal(payload.displayname, undefined, from);
  }
});

test('subjects: Q and B words, adjacent words joined, unencoded text untouched, emoji', () => {
  assert.equal(mailNewPayload({ ...base, subject: "Let's meet" }).subject, "Let's meet");
  assert.equal(mailNewPayload({ ...base, subject: '=?utf-8?B?8J+YgA==?= party' }).subject, '😀 party');
  assert.equal(mailNewPayload({ ...base, subject: 'Re: =?UTF-8?Q?=E2=82=AC_100?=' }).subject, 'Re: € 100');
});
