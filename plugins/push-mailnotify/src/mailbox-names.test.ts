import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Context, User } from '@keel/plugin-sdk';
import { mailboxNamesOf } from './mailbox-names.js';

const user: User = {
  contextId: 5, id: 3, login: 'JDoe', displayName: 'Jane', email: 'Jane.Doe@Example.com', aliases: ['jane@example.net', 'jd@example.com'],
  enabled: true, attributes: {}, config: {}, source: 'local',
};
const context: Context = { id: 5, name: 'ctx', enabled: true, loginMappings: ['example.com', 'Example.NET'], attributes: {}, config: {} };

test('local parts of the address and aliases by default', () => {
  assert.deepEqual(mailboxNamesOf(user, context, { useFullEmailAddress: false, useOxLogin: false }), ['jane.doe', 'jane', 'jd']);
});

test('whole addresses with use_full_email_address', () => {
  assert.deepEqual(mailboxNamesOf(user, context, { useFullEmailAddress: true, useOxLogin: false }), ['jane.doe@example.com', 'jane@example.net', 'jd@example.com']);
});

test('the login, also qualified by each login mapping, with use_ox_login', () => {
  assert.deepEqual(mailboxNamesOf(user, context, { useFullEmailAddress: true, useOxLogin: true }).slice(3), ['jdoe', 'jdoe@example.com', 'jdoe@example.net']);
  assert.deepEqual(mailboxNamesOf({ ...user, login: 'jdoe@example.org' }, context, { useFullEmailAddress: true, useOxLogin: true }).slice(3), ['jdoe@example.org']);
});
