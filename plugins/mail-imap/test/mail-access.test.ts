import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { contextServiceRef, isKeelError, mailAccessRef, userServiceRef, type MailAccess } from '@keel/plugin-sdk';
import { loadBundle, readMetrics, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import { dovecotSkipReason, startDovecot, type DovecotServer } from '@keel/test/harness';
import mailImap from '../src/index.js';

const skip = dovecotSkipReason();
const KEY = '/private/vendor/vendor.dovecot/http-notify';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (isKeelError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
}

describe('mail-imap against a real Dovecot', { skip }, () => {
  let dovecot: DovecotServer;
  let kernel: TestKernel;
  let mail: MailAccess;
  let alice: { contextId: number; userId: number };
  let stalled: Server;
  const stalledSockets: Socket[] = [];

  before(async () => {
    dovecot = await startDovecot({ users: [{ login: 'alice@example.com', password: 'alice-secret' }] });
    // A server that accepts and then says nothing: the greeting timeout must end the wait.
    stalled = createServer((socket) => void stalledSockets.push(socket));
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    kernel = await startTestKernel({
      bundles: { 'storage-sql': await loadBundle('storage-sql'), 'mail-imap': mailImap },
      properties: {
        // Per user: alice's server is the Dovecot, stuck's one that never greets.
        'com.openexchange.mail.mailServerSource': 'user',
        'com.openexchange.mail.loginSource': 'mail',
        'keel.mail.greetingTimeout': '300',
        'keel.mail.connectTimeout': '2000',
      },
      http: false,
      startTimeoutMs: 20_000,
    });
    mail = kernel.get(mailAccessRef)!;
    const context = await kernel.get(contextServiceRef)!.create({ name: 'example', loginMappings: ['example.com'] });
    const users = kernel.get(userServiceRef)!;
    const user = await users.create(context.id, {
      login: 'alice', password: 'alice-secret', displayName: 'Alice', email: 'alice@example.com',
      attributes: { 'mail/imapServer': `imap://127.0.0.1:${dovecot.imapPort}` },
    });
    alice = { contextId: context.id, userId: user.id };
    await users.create(context.id, {
      login: 'stuck', password: 'x', displayName: 'Stuck', email: 'stuck@example.com',
      attributes: { 'mail/imapServer': `imap://127.0.0.1:${(stalled.address() as { port: number }).port}` },
    });
  });

  after(async () => {
    await kernel?.stop();
    for (const socket of stalledSockets) socket.destroy();
    stalled?.close();
    await dovecot?.stop();
  });

  it("resolves the endpoint from the settings: the user's server, mail address as login, the given password", async () => {
    const endpoint = await mail.resolveEndpoint(alice.contextId, alice.userId, { password: 'alice-secret' });
    assert.deepEqual(endpoint, { host: '127.0.0.1', port: dovecot.imapPort, secure: false, login: 'alice@example.com', password: 'alice-secret', rejectUnauthorized: true });
  });

  it('SETMETADATA writes the server entry, GETMETADATA reads it, NIL removes it', async () => {
    const options = { password: 'alice-secret' };
    await mail.setMetadata(alice.contextId, alice.userId, KEY, `user=${alice.userId}@${alice.contextId}`, options);
    assert.equal(await dovecot.getMetadata('alice@example.com'), `user=${alice.userId}@${alice.contextId}`);
    assert.equal(await mail.getMetadata(alice.contextId, alice.userId, KEY, options), `user=${alice.userId}@${alice.contextId}`);
    await mail.setMetadata(alice.contextId, alice.userId, KEY, null, options);
    assert.equal(await dovecot.getMetadata('alice@example.com'), null);
    assert.equal(await mail.getMetadata(alice.contextId, alice.userId, KEY, options), undefined);
    assert.equal(mail.openConnections(), 0, 'every connection was closed');
  });

  it('values that need a literal (non-ASCII) round-trip', async () => {
    const options = { password: 'alice-secret' };
    await mail.setMetadata(alice.contextId, alice.userId, '/private/vendor/vendor.keel/test', 'grüße "quoted"', options);
    assert.equal(await mail.getMetadata(alice.contextId, alice.userId, '/private/vendor/vendor.keel/test', options), 'grüße "quoted"');
  });

  it('a refused login is MSG-0002 naming the login, never the password', async () => {
    const outcome = await codeOf(mail.getMetadata(alice.contextId, alice.userId, KEY, { password: 'wrong-password' }));
    assert.match(outcome, /^MSG-0002: IMAP login of alice@example\.com refused/);
    assert.ok(!outcome.includes('wrong-password'));
  });

  it('no password given and no credential storage: MSG-0001', async () => {
    assert.match(await codeOf(mail.getMetadata(alice.contextId, alice.userId, KEY)), /^MSG-0001/);
  });

  it('a server that never greets: MSG-0003 after the greeting timeout, nothing left open', async () => {
    const stuck = await kernel.get(userServiceRef)!.findByLogin(alice.contextId, 'stuck');
    assert.match(await codeOf(mail.getMetadata(alice.contextId, stuck!.id, KEY, { password: 'x' })), /^MSG-0003: IMAP server imap:\/\/127\.0\.0\.1:\d+ unreachable or timed out/);
    assert.equal(mail.openConnections(), 0);
  });

  it('reports the connections it holds in its metrics source, while they are open', async () => {
    const held = async () => (await readMetrics(kernel, 'mail-imap')).value('keel_imap_connections', { bundle: 'mail-imap' });
    assert.equal(await held(), 0);
    const stuck = await kernel.get(userServiceRef)!.findByLogin(alice.contextId, 'stuck');
    const accepted = stalledSockets.length;
    // The server that never greets keeps the connection open until the greeting timeout.
    const pending = codeOf(mail.getMetadata(alice.contextId, stuck!.id, KEY, { password: 'x' }));
    for (let i = 0; i < 2000 && stalledSockets.length === accepted; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(stalledSockets.length, accepted + 1, 'the stalled server accepted the connection');
    assert.equal(await held(), 1);
    assert.match(await pending, /^MSG-0003/);
    assert.equal(await held(), 0);
  });

    it('a user without a server attribute under mailServerSource=user: MSG-0005', async () => {
    const users = kernel.get(userServiceRef)!;
    const nobody = await users.create(alice.contextId, { login: 'nobody', password: 'x', displayName: 'N', email: 'nobody@example.com' });
    assert.match(await codeOf(mail.resolveEndpoint(alice.contextId, nobody.id, { password: 'x' })), /^MSG-0005: .*no mail\/imapServer attribute/);
  });

  it('the global server when unreachable: MSG-0003', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const other = await startTestKernel({
      bundles: { 'storage-sql': await loadBundle('storage-sql'), 'mail-imap': mailImap },
      properties: { 'com.openexchange.mail.mailServer': `imap://127.0.0.1:${port}` },
      http: false,
      startTimeoutMs: 20_000,
    });
    try {
      const context = await other.get(contextServiceRef)!.create({ name: 'x', loginMappings: ['x.example'] });
      const user = await other.get(userServiceRef)!.create(context.id, { login: 'u', password: 'p', displayName: 'U', email: 'u@x.example' });
      assert.match(await codeOf(other.get(mailAccessRef)!.getMetadata(context.id, user.id, KEY, { password: 'p' })), /^MSG-0003: IMAP server imap:\/\/127\.0\.0\.1:\d+ unreachable/);
    } finally {
      await other.stop();
    }
  });
});
