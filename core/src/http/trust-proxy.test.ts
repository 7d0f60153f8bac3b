import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isKeelError } from '@keel/plugin-sdk';
import { loadServerConfig } from '../config/server-config.js';
import { createLogger } from '../logging/create-logger.js';
import { createHttpServer } from './create-http-server.js';
import { readTrustProxy } from './trust-proxy.js';

const directory = await mkdtemp(join(tmpdir(), 'keel-trust-proxy-'));
after(() => rm(directory, { recursive: true, force: true }));

/** The setting as an operator writes it, through the environment override of the real config loader. */
async function setting(value: string | undefined) {
  const env = value === undefined ? {} : { KEEL_KEEL_HTTP_TRUSTPROXY: value };
  return readTrustProxy(await loadServerConfig({ directory, dataDirectory: directory, env }));
}

test('false by default; true, hop counts and address lists as written', async () => {
  assert.equal(await setting(undefined), false);
  assert.equal(await setting('FALSE'), false);
  assert.equal(await setting('true'), true);
  assert.equal(await setting('2'), 2);
  assert.deepEqual(await setting(' 127.0.0.1, 10.0.0.0/8 ,::1 , fd00::/8'), ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
});

test('anything else names the property and the entry', async () => {
  for (const bad of ['proxy.example', '10.0.0.0/33', '::1/129', '1.2.3.4/8/1', 'yes']) {
    await assert.rejects(setting(bad), (error: unknown) => {
      assert.ok(isKeelError(error));
      assert.equal(error.code, 'KEEL-CONFIG-VALUE');
      assert.match(error.message, /keel\.http\.trustProxy/);
      return true;
    }, bad);
  }
});

test('X-Forwarded-For is believed only from a trusted proxy', async () => {
  const ipSeen = async (trustProxy: string[]): Promise<string> => {
    const server = createHttpServer({
      logger: createLogger({ level: 'silent' }), host: '127.0.0.1', port: 0, isBundleActive: () => true,
      health: () => ({ status: 'ok', bundles: {} }), trustProxy,
    });
    server.forBundle('probe').route({ method: 'GET', path: '/ip', handler: (request) => ({ ip: request.ip }) });
    const { port } = await server.listen();
    try {
      const response = await fetch(`http://127.0.0.1:${port}/ip`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
      return ((await response.json()) as { ip: string }).ip;
    } finally {
      await server.close();
    }
  };
  assert.equal(await ipSeen(['127.0.0.1']), '203.0.113.7');
  assert.equal(await ipSeen(['192.0.2.1']), '127.0.0.1');
});
