import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKeelError } from '@keel/plugin-sdk';
import { UserSockets } from './user-sockets.js';

const code = (error: unknown) => (isKeelError(error) ? error.code : String(error));

test('a connection id is unique per user, not across users', () => {
  const sockets = new UserSockets();
  sockets.reserve(1, 3, 'c1', 8);
  sockets.reserve(1, 4, 'c1', 8);
  sockets.reserve(2, 3, 'c1', 8);
  assert.throws(() => sockets.reserve(1, 3, 'c1', 8), (error) => code(error) === 'WS-0003');
});

test('at most max sockets per user; a released slot frees its place once', () => {
  const sockets = new UserSockets();
  const slots = Array.from({ length: 8 }, (_, i) => sockets.reserve(1, 3, `c${i}`, 8));
  assert.throws(() => sockets.reserve(1, 3, 'c8', 8), (error) => code(error) === 'WS-0004');
  slots[0]!.release();
  slots[0]!.release();
  assert.equal(sockets.count(1, 3), 7);
  sockets.reserve(1, 3, 'c8', 8);
  assert.throws(() => sockets.reserve(1, 3, 'c9', 8), (error) => code(error) === 'WS-0004');
});

test('users without sockets are forgotten', () => {
  const sockets = new UserSockets();
  sockets.reserve(1, 3, 'a', 8).release();
  assert.equal(sockets.users, 0);
  assert.equal(sockets.count(1, 3), 0);
});
