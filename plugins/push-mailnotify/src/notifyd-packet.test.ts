import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_PACKET_BYTES, mailboxNameOf, parseNotifydPacket } from './notifyd-packet.js';

const packet = (...fields: string[]) => Buffer.from(fields.map((f) => `${f}\0`).join(''));

test('a packet as Cyrus notifyd sends it', () => {
  const result = parseNotifydPacket(packet('log', 'MAIL', '', 'postmaster', 'INBOX', '0', 'From: root@example.com (root)\nSubject: asdf'));
  assert.deepEqual(result, {
    ok: true,
    packet: { method: 'log', class: 'MAIL', priority: '', user: 'postmaster', mailbox: 'INBOX', options: [], message: 'From: root@example.com (root)\nSubject: asdf' },
  });
});

test('options are counted by nopt', () => {
  const result = parseNotifydPacket(packet('mailto', 'MAIL', 'high', 'jane@example.com', 'user.jane', '2', 'a@b.c', 'x', 'You have mail'));
  assert.ok(result.ok);
  assert.deepEqual(result.packet.options, ['a@b.c', 'x']);
  assert.equal(result.packet.message, 'You have mail');
});

test('garbage is rejected with a reason', () => {
  const cases: Array<[Buffer, string]> = [
    [Buffer.alloc(0), 'empty'],
    [Buffer.alloc(MAX_PACKET_BYTES + 1, 0), 'oversize'],
    [Buffer.from('log\0MAIL\0\0bob\0INBOX\x000\0no final nul'), 'unterminated'],
    [Buffer.concat([Buffer.from('log\0MAIL\0\0b'), Buffer.from([0xc3, 0x28]), Buffer.from('\0INBOX\x000\0m\0')]), 'not-utf8'],
    [packet('log', 'MAIL', '', 'bob', 'INBOX', '0'), 'field-count'],
    [packet('log', 'MAIL', '', 'bob', 'INBOX', '1', 'message'), 'field-count'],
    [packet('log', 'MAIL', '', 'bob', 'INBOX', '0', 'extra', 'message'), 'field-count'],
    [packet('log', 'MAIL', '', 'bob', 'INBOX', 'x', 'message'), 'nopt'],
    [packet('log', 'MAIL', '', 'bob', 'INBOX', '-1', 'message'), 'nopt'],
    [packet('log', 'MAIL', '', 'bob', 'INBOX', '99', 'message'), 'nopt'],
    [packet('log', 'MAIL', '', '', 'INBOX', '0', 'message'), 'user'],
    [packet('log', 'MAIL', '', 'bo b', 'INBOX', '0', 'message'), 'user'],
    [packet('log', 'MAIL', '', 'x'.repeat(300), 'INBOX', '0', 'message'), 'user'],
    [Buffer.from([0]), 'field-count'],
  ];
  for (const [data, reason] of cases) assert.deepEqual(parseNotifydPacket(data), { ok: false, reason }, `expected ${reason}`);
});

test('the user is cut at the login delimiter', () => {
  assert.equal(mailboxNameOf('jane@example.com', '@'), 'jane');
  assert.equal(mailboxNameOf('jane+box', '+'), 'jane');
  assert.equal(mailboxNameOf('jane', '@'), 'jane');
  assert.equal(mailboxNameOf('jane@example.com', undefined), 'jane@example.com');
});
