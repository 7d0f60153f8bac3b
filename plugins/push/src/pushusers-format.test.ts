import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registrationsTable, runningUsersTable, unregisteredMessage } from './pushusers-format.js';

test('running users: the seed example, byte for byte', () => {
  const table = runningUsersTable([
    { contextId: 1, userId: 402, manager: 'dovecot', permanent: true, client: 'open-xchange-mobile-api-facade' },
    { contextId: 1, userId: 249, manager: 'dovecot', permanent: true, client: 'open-xchange-mobile-api-facade' },
  ]);
  assert.equal(table, ['Context  User  Permanent', '      1  249   true', '      1  402   true'].join('\n'));
});

test('running users: one row per user and kind, sorted; wider values widen the columns', () => {
  const table = runningUsersTable([
    { contextId: 10, userId: 3, manager: 'imapidle', permanent: false, client: 'USM-EAS' },
    { contextId: 10, userId: 3, manager: 'dovecot', permanent: false, client: 'USM-EAS' },
    { contextId: 2, userId: 12345, manager: 'dovecot', permanent: true, client: 'x' },
  ]);
  assert.equal(table, ['Context  User   Permanent', '      2  12345  true', '     10  3      false'].join('\n'));
});

test('nothing running / nothing registered: the original messages', () => {
  assert.equal(runningUsersTable([]), 'No running push users on this node.');
  assert.equal(registrationsTable([]), 'No registered push users.');
});

test('registrations: Context User Client', () => {
  assert.equal(
    registrationsTable([{ contextId: 1, userId: 402, client: 'open-xchange-mobile-api-facade' }, { contextId: 1, userId: 249, client: 'USM-EAS' }]),
    ['Context  User  Client', '      1  249   USM-EAS', '      1  402   open-xchange-mobile-api-facade'].join('\n'),
  );
});

test('the unregister answer', () => {
  assert.equal(unregisteredMessage({ contextId: 1, userId: 3, client: 'USM-EAS' }), "Push registration successfully deleted for user 3 in context 1 for client 'USM-EAS'");
});
