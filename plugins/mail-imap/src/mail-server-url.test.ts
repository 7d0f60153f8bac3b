import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKeelError } from '@keel/plugin-sdk';
import { describeServer, parseMailServer } from './mail-server-url.js';

test('parseMailServer: imap, imaps, bare hosts, default ports, IPv6', () => {
  assert.deepEqual(parseMailServer('imap://mail.example.com:1143', 'p'), { host: 'mail.example.com', port: 1143, secure: false });
  assert.deepEqual(parseMailServer('imaps://mail.example.com', 'p'), { host: 'mail.example.com', port: 993, secure: true });
  assert.deepEqual(parseMailServer('127.0.0.1', 'p'), { host: '127.0.0.1', port: 143, secure: false });
  assert.deepEqual(parseMailServer(' 127.0.0.1:10143 ', 'p'), { host: '127.0.0.1', port: 10143, secure: false });
  assert.deepEqual(parseMailServer('imap://[::1]:143', 'p'), { host: '::1', port: 143, secure: false });
  assert.equal(describeServer({ host: '::1', port: 143, secure: false }), 'imap://[::1]:143');
});

test('parseMailServer: other schemes and garbage are MSG-0005 naming the source', () => {
  for (const value of ['pop3://host', 'http://host:80', 'imap://', 'imap://host:notaport']) {
    assert.throws(() => parseMailServer(value, 'com.openexchange.mail.mailServer'), (error: unknown) =>
      isKeelError(error) && error.code === 'MSG-0005' && error.message.includes('com.openexchange.mail.mailServer'), value);
  }
});
