import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { adminSend, startReceiver, startWebhookKernel, subscribe, type Receiver } from './support.js';

/** A self-signed certificate for 127.0.0.1 made with the openssl binary (loud skip without it, failure under CI). */
async function selfSigned(): Promise<{ key: string; cert: string } | string> {
  const dir = await mkdtemp(join(tmpdir(), 'keel-webhook-tls-'));
  try {
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ]);
    return { key: await readFile(join(dir, 'key.pem'), 'utf8'), cert: await readFile(join(dir, 'cert.pem'), 'utf8') };
  } catch (error) {
    const reason = `openssl could not make a test certificate (${(error as Error).message}): the HTTPS webhook tests are SKIPPED`;
    if (['true', '1'].includes((process.env['CI'] ?? '').toLowerCase())) throw new Error(`${reason} (CI=true)`);
    console.warn(`\n*** ${reason} ***\n`);
    return reason;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const certificate = await selfSigned();

describe('HTTPS receivers (httpsOnly default)', { skip: typeof certificate === 'string' ? certificate : false }, () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver(certificate as { key: string; cert: string });
  });
  after(() => receiver?.close());

  const properties = (trustAll: boolean) => ({
    'com.openexchange.pns.transport.webhooks.allowLocalWebhooks': 'true',
    'com.openexchange.pns.transport.webhooks.allowTrustAll': String(trustAll),
    'com.openexchange.pns.transport.webhooks.retryBaseDelay': '1',
    'com.openexchange.webhooks.enabledIds': 'secure',
  });
  const yml = () => `secure:\n  uri: ${receiver.url}/hooks\n  signatureSecret: tls-secret\n`;

  it('refuses an untrusted certificate without retrying and keeps the subscription', async () => {
    const kit = await startWebhookKernel({ properties: properties(false), webhooksYml: yml() });
    try {
      assert.equal((await subscribe(kit, 'alice', { client: 'secure', token: '' })).status, 200);
      assert.equal(await adminSend(kit, kit.userIds.alice!, 'ox:mail:new', { id: 'tls' }), 1);
      assert.equal(receiver.requests.length, 0, 'no request got through the TLS handshake');
      assert.equal((await kit.store.list(kit.contextId, kit.userIds.alice!)).length, 1);
    } finally {
      await kit.stop();
    }
  });

  it('delivers over HTTPS when allowTrustAll is on', async () => {
    const kit = await startWebhookKernel({ properties: properties(true), webhooksYml: yml() });
    try {
      assert.equal((await subscribe(kit, 'alice', { client: 'secure', token: '' })).status, 200);
      assert.equal(await adminSend(kit, kit.userIds.alice!, 'ox:mail:new', { id: 'tls' }), 1);
      const [request] = await receiver.waitFor('/hooks', 1);
      assert.match(String(request!.headers['x-ox-signature']), /^t=\d+, v1=[0-9a-f]{64}$/);
      assert.equal(JSON.parse(request!.body.toString()).payload.id, 'tls');
    } finally {
      await kit.stop();
    }
  });
});
