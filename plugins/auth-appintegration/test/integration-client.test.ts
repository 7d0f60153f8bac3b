// The HTTP client on its own: list parsing across chunks in the seed's loose style, and TLS verification.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIntegrationClient } from '../src/integration-client.js';
import { parseServers } from '../src/integration-servers.js';
import { toRemoteUser } from '../src/remote-user.js';
import { startFakeIntegrationServer, type FakeIntegrationServer } from './fake-integration-server.js';

function serverFor(url: string, extra = '') {
  return parseServers({ 1: { url, login: 'keel', password: 'ais-secret', timeoutMs: 2000, ...(extra === 'insecure' ? { rejectUnauthorized: false } : {}) } }).get(1)!;
}

describe('integration client', () => {
  let fake: FakeIntegrationServer;

  before(async () => {
    fake = await startFakeIntegrationServer();
  });

  after(async () => {
    await fake?.close();
  });

  it('reads a hand-written list (unquoted keys, single quotes, a single address) in tiny chunks', async () => {
    fake.listAnswer = () => ({
      contentType: 'text/json; charset=utf8',
      chunkBytes: 7,
      body: "[\r\n  { userName: 'john.doe', distinguishedName: 'UID=john.doe,DC=example,DC=com', fullName: 'John \"JD\" Doe', emailAddresses: ['john.doe@example.com', 'john@example.com'] },\r\n"
        + '  { "UserName": "jane.doe", "EmailAddresses": "jane@example.com" },\r\n  { fullName: "no name" },\r\n]\r\n',
    });
    const client = createIntegrationClient(serverFor(fake.url));
    try {
      const seen: number[] = [];
      const entries: unknown[] = [];
      for await (const entry of client.listUsers((progress) => seen.push(progress.users))) entries.push(entry);
      assert.deepEqual(entries.map(toRemoteUser), [
        { userName: 'john.doe', distinguishedName: 'UID=john.doe,DC=example,DC=com', fullName: 'John "JD" Doe', emailAddresses: ['john.doe@example.com', 'john@example.com'] },
        { userName: 'jane.doe', emailAddresses: ['jane@example.com'] },
        'userName is missing or empty',
      ]);
      // How many chunks arrive is up to TCP; the count reported last is not.
      assert.equal(seen.at(-1), 3);
    } finally {
      client.close();
      fake.listAnswer = undefined;
    }
  });

  it('a consumer that stops early closes the download', async () => {
    fake.users = Array.from({ length: 20_000 }, (_, i) => ({ userName: `u${i}` }));
    fake.listAnswer = () => ({ body: JSON.stringify(fake.users), chunkBytes: 4096 });
    const client = createIntegrationClient(serverFor(fake.url));
    try {
      let count = 0;
      for await (const entry of client.listUsers()) {
        assert.ok(entry);
        if (++count === 10) break;
      }
      assert.equal(count, 10);
    } finally {
      client.close();
      fake.listAnswer = undefined;
    }
  });

  describe('TLS', () => {
    let dir: string | undefined;
    let url = '';
    let skip: string | false = false;
    let close = async () => undefined as void;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'keel-ais-tls-'));
      try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
      } catch (error) {
        skip = `openssl could not make a self-signed certificate (${(error as Error).message}): the TLS tests are SKIPPED`;
        if (['true', '1'].includes((process.env['CI'] ?? '').toLowerCase())) throw new Error(`${skip} (CI=true)`);
        console.warn(`\n*** ${skip} ***\n`);
        return;
      }
      const server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"succeeded": true}'));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/ais`;
      close = () => new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    });

    after(async () => {
      await close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('refuses a certificate it cannot verify (rejectUnauthorized: true, the default)', async (t) => {
      if (skip) return t.skip(skip);
      const client = createIntegrationClient(serverFor(url));
      try {
        const answer = await client.checkPassword('john', 'pw');
        assert.equal(answer.kind, 'unavailable');
        assert.match((answer as { reason: string }).reason, /self[- ]signed|certificate/i);
      } finally {
        client.close();
      }
    });

    it('accepts it with rejectUnauthorized: false', async (t) => {
      if (skip) return t.skip(skip);
      const client = createIntegrationClient(serverFor(url, 'insecure'));
      try {
        assert.deepEqual(await client.checkPassword('john', 'pw'), { kind: 'answer', succeeded: true });
      } finally {
        client.close();
      }
    });
  });
});
