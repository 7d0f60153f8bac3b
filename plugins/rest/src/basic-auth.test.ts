import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBasic } from './basic-auth.js';

const encode = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

test('parseBasic: login and password, the password may contain colons', () => {
  assert.deepEqual(parseBasic(encode('dovecot:se:cr:et')), { login: 'dovecot', password: 'se:cr:et' });
  assert.deepEqual(parseBasic(encode(':')), { login: '', password: '' });
  assert.deepEqual(parseBasic([encode('a:b'), encode('c:d')]), { login: 'a', password: 'b' });
});

test('parseBasic: anything else is no credentials', () => {
  assert.equal(parseBasic(undefined), undefined);
  assert.equal(parseBasic('Bearer abc'), undefined);
  assert.equal(parseBasic('Basic !!!'), undefined);
  assert.equal(parseBasic(encode('no-colon')), undefined);
});
