import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { Logger } from '@keel/plugin-sdk';
import { createLogger, toSdkLogger, type KernelLogger } from './create-logger.js';
import { REDACTED } from './secret-keys.js';

function capture(): { stream: Writable; text: () => string; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return {
    stream,
    text: () => text,
    lines: () => text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

// Compile-time check: the kernel logger (and its children) can be handed to bundles as the SDK Logger.
const asSdk: (logger: KernelLogger) => Logger = (logger) => logger;

describe('createLogger', () => {
  it('writes JSON lines with a level label and message', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', destination: out.stream });
    logger.info({ user: 3 }, 'listener started');
    logger.debug('not shown at info');
    const [line, ...rest] = out.lines();
    assert.equal(rest.length, 0);
    assert.equal(line?.['level'], 'info');
    assert.equal(line?.['msg'], 'listener started');
    assert.equal(line?.['user'], 3);
  });

  it('never writes secrets, at the top level or nested', () => {
    const out = capture();
    const logger = createLogger({ level: 'trace', destination: out.stream });
    const secret = 'hunter2-very-secret';
    logger.info({ password: secret, pass: secret, passcrypt: secret, masterPassword: secret, token: secret, key: secret }, 'top');
    logger.info({ user: { password: secret, name: 'anton' } }, 'one level');
    logger.info({ req: { headers: { authorization: `Basic ${secret}`, cookie: `open-xchange-secret-1=${secret}`, accept: 'text/html' } } }, 'headers');
    logger.info({ res: { headers: { 'set-cookie': [`session=${secret}`] } } }, 'set-cookie');
    logger.info({ a: { b: { c: { privateKey: secret, webhookSecret: secret, signatureSecret: secret } } } }, 'three levels');
    logger.info({ options: { transports: [{ secret }] } }, 'array element');
    toSdkLogger(logger).child({ password: secret, masterPassword: secret, Authorization: secret }).warn({ credentials: { login: 'a', password: secret } }, 'child');
    logger.info({ response: { headers: { Authorization: secret, 'Set-Cookie': [secret], 'X-Api-Key': secret } } }, 'any case');
    logger.info({ a: { b: { c: { d: { e: { f: { Password: secret } } } } } } }, 'six levels');
    logger.error(Object.assign(new Error('login failed'), { password: secret }), 'error as object');
    logger.error({ err: Object.assign(new Error('bind failed'), { config: { bindPassword: 'not-a-key-name', credentials: secret } }) }, 'err key');
    logger.warn({ failure: { cause: Object.assign(new TypeError('nested'), { token: secret }) } }, 'nested error');
    assert.ok(!out.text().includes(secret), out.text());
    const lines = out.lines();
    assert.equal(lines.length, 12);
    const byMessage = (msg: string) => lines.find((line) => line['msg'] === msg) ?? {};
    assert.equal((byMessage('error as object')['err'] as Record<string, unknown>)['message'], 'login failed');
    assert.equal((byMessage('err key')['err'] as { config: Record<string, unknown> }).config['bindPassword'], 'not-a-key-name');
    assert.equal((byMessage('err key')['err'] as Record<string, unknown>)['type'], 'Error');
    assert.equal(((byMessage('nested error')['failure'] as Record<string, unknown>)['cause'] as Record<string, unknown>)['message'], 'nested');
    assert.deepEqual(byMessage('any case')['response'], { headers: { Authorization: REDACTED, 'Set-Cookie': REDACTED, 'X-Api-Key': REDACTED } });
    assert.equal((lines[1]?.['user'] as Record<string, unknown>)['name'], 'anton');
    const headers = (lines[2]?.['req'] as { headers: Record<string, unknown> }).headers;
    assert.deepEqual(headers, { authorization: REDACTED, cookie: REDACTED, accept: 'text/html' });
  });

  // Found by test/e2e/log-secrets.test.ts: fastify logs clientError errors at trace, and node puts the
  // request's raw bytes on them (a Buffer, written as a byte array).
  it('never writes the raw request bytes of an HTTP parser error', () => {
    const out = capture();
    const logger = createLogger({ level: 'trace', destination: out.stream });
    const request = 'GET / HTTP/1.1\r\nAuthorization: Basic b3hhZG1pbm1hc3RlcjpzZWNyZXQ=\r\n';
    const error = Object.assign(new Error('Parse Error: Header overflow'), { code: 'HPE_HEADER_OVERFLOW', rawPacket: Buffer.from(request) });
    logger.trace({ err: error }, 'client error');
    const [line] = out.lines();
    const err = line?.['err'] as Record<string, unknown>;
    assert.equal(err['code'], 'HPE_HEADER_OVERFLOW');
    assert.equal(err['rawPacket'], REDACTED);
    assert.ok(!out.text().includes([...Buffer.from('b3hhZG1pbm1hc3RlcjpzZWNyZXQ=')].join(',')), out.text());
  });

  it('leaves objects without secrets untouched and logs them in full', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    const shared = { user: 3, list: [1, { name: 'x' }], when: new Date(0), bytes: Buffer.from('hi') };
    logger.info({ shared, keyring: 'not a secret name' }, 'plain');
    const [line] = out.lines();
    assert.deepEqual(line?.['shared'], { user: 3, list: [1, { name: 'x' }], when: '1970-01-01T00:00:00.000Z', bytes: { type: 'Buffer', data: [104, 105] } });
    assert.equal(line?.['keyring'], 'not a secret name');
  });

  it('takes the level from KEEL_LOG_LEVEL unless one is given', () => {
    const saved = process.env['KEEL_LOG_LEVEL'];
    try {
      process.env['KEEL_LOG_LEVEL'] = 'warn';
      assert.equal(createLogger({ destination: capture().stream }).level, 'warn');
      assert.equal(createLogger({ level: 'debug', destination: capture().stream }).level, 'debug');
      delete process.env['KEEL_LOG_LEVEL'];
      assert.equal(createLogger({ destination: capture().stream }).level, 'info');
      process.env['KEEL_LOG_LEVEL'] = 'chatty';
      assert.throws(() => createLogger({ destination: capture().stream }), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'KEEL-CONFIG-VALUE');
        assert.match(error.message, /KEEL_LOG_LEVEL.*chatty.*one of fatal, error/);
        return true;
      });
    } finally {
      if (saved === undefined) delete process.env['KEEL_LOG_LEVEL'];
      else process.env['KEEL_LOG_LEVEL'] = saved;
    }
  });

  it('serves as the SDK Logger without wrapping', () => {
    const logger = createLogger({ destination: capture().stream });
    assert.equal(asSdk(logger), logger);
    assert.equal(toSdkLogger(logger), logger);
  });
});
