import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mailAccessRef } from '@keel/plugin-sdk';
import { loadBundle } from '@keel/plugin-sdk/testing';
import { dovecotSkipReason, startDovecot, type DovecotServer } from '@keel/test/harness';
import { connectV2, login, logout, type Login, type TestSocket } from './sockets.js';
import { MASTER, REST, basic, eventually, startDovecotKernel, type DovecotKernel } from './support.js';

const skip = dovecotSkipReason();
const KEY = '/private/vendor/vendor.dovecot/http-notify';

/** A message as an MTA hands it over: RFC 2047 sender name and subject, a UTF-8 text body. */
function message(subject: string, body: string): string {
  return [
    'From: =?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <joerg@example.org>',
    'To: alice@example.com',
    `Subject: ${subject}`,
    'Message-ID: <' + Math.random().toString(36).slice(2) + '@example.org>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    body,
    '',
  ].join('\r\n');
}

describe('push-dovecot with a real Dovecot: delivery to a Socket.IO v2 client, METADATA registration', { skip }, () => {
  let keel: DovecotKernel;
  let dovecot: DovecotServer;
  let loginOnly: DovecotServer | undefined;
  let alice: Login | undefined;
  const sockets: TestSocket[] = [];
  const ids = { alice: { contextId: 0, userId: 0 }, bob: { contextId: 0, userId: 0 } };

  before(async () => {
    keel = await startDovecotKernel(
      { websockets: await loadBundle('websockets'), 'pns-transport-websockets': await loadBundle('pns-transport-websockets') },
      {
        // The App Suite UI's client starts session-bound listeners here, so a browser login is enough.
        'com.openexchange.push.allowedClients': '"USM-EAS*", "open-xchange-mobile-api-facade*", "open-xchange-appsuite"',
        'com.openexchange.mail.loginSource': 'mail',
      },
    );
    const context = await keel.contexts.create({ name: 'example', loginMappings: ['example.com'] });
    for (const name of ['alice', 'bob'] as const) {
      const user = await keel.users.create(context.id, { login: name, password: `${name}-secret`, displayName: name, email: `${name}@example.com` });
      ids[name] = { contextId: user.contextId, userId: user.id };
    }
    // Dovecot needs Keel's port for its driver URL, Keel needs Dovecot's IMAP port: start Keel, then
    // Dovecot, then tell Keel where the IMAP server is with a configuration reload.
    dovecot = await startDovecot({
      users: [{ login: 'alice@example.com', password: 'alice-secret' }, { login: 'bob@example.com', password: 'bob-secret' }],
      pushUrl: `http://${REST.login}:${REST.password}@127.0.0.1:${new URL(keel.kernel.url).port}/preliminary/http-notify/v1/notify`,
    });
    await writeFile(join(keel.kernel.configDir, 'zz-mail.properties'), `com.openexchange.mail.mailServer=imap://127.0.0.1:${dovecot.imapPort}\n`);
    await keel.kernel.kernel.reload();
  });

  after(async () => {
    for (const socket of sockets) socket.close();
    await keel?.kernel.stop();
    await dovecot?.stop();
    await loginOnly?.stop();
  });

  it('an App Suite login starts a listener: the METADATA entry is set on the mailbox (GETMETADATA)', async () => {
    alice = await login(keel.kernel.url, 'alice@example.com', 'alice-secret');
    const value = await eventually(async () => (await dovecot.getMetadata('alice@example.com')) ?? undefined, 'METADATA set by the listener');
    assert.equal(value, `user=${ids.alice.userId}@${ids.alice.contextId}`);
    await eventually(() => keel.push.runningListeners().length === 1, 'the listener recorded');
    assert.deepEqual(keel.push.runningListeners(), [{ ...ids.alice, manager: 'dovecot', permanent: false, client: 'open-xchange-appsuite' }]);
  });

  it("Dovecot's own OX driver calls Keel on LMTP delivery: the Socket.IO v2 client gets ox:mail:new, decoded", async () => {
    const socket = await connectV2(keel.kernel.url, alice!);
    sockets.push(socket);
    await dovecot.deliver('alice@example.com', message('=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=', 'Hallo Alice, wie geht es dir?'));
    const [payload] = await socket.next('ox:mail:new');
    assert.deepEqual(payload, {
      folder: 'default0/INBOX', id: '1', email: 'joerg@example.org', displayname: 'Jörg Müller', subject: 'Grüße aus Köln', unread: 1, teaser: 'Hallo Alice, wie geht es dir?',
    });
    await dovecot.deliver('alice@example.com', message('Second', 'Noch eine.'));
    const [second] = await socket.next('ox:mail:new');
    assert.deepEqual(second, { folder: 'default0/INBOX', id: '2', email: 'joerg@example.org', displayname: 'Jörg Müller', subject: 'Second', unread: 2, teaser: 'Noch eine.' });
  });

  it('the last push session ends: the METADATA entry is removed (NIL), and deliveries no longer call Keel', async () => {
    await logout(keel.kernel.url, alice!);
    await eventually(async () => (await dovecot.getMetadata('alice@example.com')) === null, 'METADATA removed');
    assert.deepEqual(keel.push.runningListeners(), []);
  });

  it('a driver without user_from_metadata sends the IMAP login: resolved by login mapping', async () => {
    loginOnly = await startDovecot({
      users: [{ login: 'bob@example.com', password: 'bob-secret' }],
      pushUrl: `http://${REST.login}:${REST.password}@127.0.0.1:${new URL(keel.kernel.url).port}/preliminary/http-notify/v1/notify`,
      pushUserFromMetadata: false,
    });
    // The driver still needs the entry to notify at all; here it is set by hand.
    await loginOnly.setMetadata('bob@example.com', 'user=set-by-hand');
    const bob = await login(keel.kernel.url, 'bob@example.com', 'bob-secret');
    const socket = await connectV2(keel.kernel.url, bob);
    sockets.push(socket);
    await loginOnly.deliver('bob@example.com', message('For Bob', 'Hi Bob'));
    const [payload] = await socket.next('ox:mail:new');
    assert.equal((payload as Record<string, unknown>)['subject'], 'For Bob');
  });
});

describe('push-dovecot with a real Dovecot: permanent listeners with stored credentials survive a node restart', { skip }, () => {
  let dovecot: DovecotServer;
  let dir: string;
  let properties: Record<string, string>;

  before(async () => {
    dovecot = await startDovecot({ users: [{ login: 'carol@example.com', password: 'carol-imap' }] });
    dir = await mkdtemp(join(tmpdir(), 'keel-push-dovecot-'));
    properties = {
      'keel.database.url': `sqlite:${join(dir, 'keel.db')}`,
      'com.openexchange.mail.mailServer': `imap://127.0.0.1:${dovecot.imapPort}`,
      'com.openexchange.mail.loginSource': 'mail',
      'com.openexchange.push.credstorage.enabled': 'true',
      'com.openexchange.push.credstorage.rdb': 'true',
      'com.openexchange.push.credstorage.passcrypt': 'same on every node',
    };
  });

  after(async () => {
    await dovecot?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('register with a password → METADATA set; node stops → kept; a new node on the same database sets it again; unregister → NIL', async () => {
    const first = await startDovecotKernel({}, properties);
    let carol: { contextId: number; userId: number };
    try {
      const context = await first.contexts.create({ name: 'example', loginMappings: ['example.com'] });
      const user = await first.users.create(context.id, { login: 'carol', password: 'carol-keel', displayName: 'Carol', email: 'carol@example.com' });
      carol = { contextId: user.contextId, userId: user.id };
      const answer = await fetch(`${first.kernel.url}/admin/v1/push/registrations`, {
        method: 'POST',
        headers: { authorization: basic(MASTER.login, MASTER.password), 'content-type': 'application/json' },
        body: JSON.stringify({ ...carol, client: 'open-xchange-mobile-api-facade', login: 'carol@example.com', password: 'carol-imap' }),
      });
      assert.equal(answer.status, 200, await answer.text());
      assert.equal(await dovecot.getMetadata('carol@example.com'), `user=${carol.userId}@${carol.contextId}`);
      // Without a password given, mail access falls back to the stored credentials.
      assert.equal(await first.kernel.get(mailAccessRef)!.getMetadata(carol.contextId, carol.userId, KEY), `user=${carol.userId}@${carol.contextId}`);
    } finally {
      await first.kernel.stop();
    }
    assert.equal(await dovecot.getMetadata('carol@example.com'), `user=${carol.userId}@${carol.contextId}`, 'a shutdown keeps the registration with Dovecot');

    await dovecot.setMetadata('carol@example.com', null);
    const second = await startDovecotKernel({}, properties);
    try {
      const value = await eventually(async () => (await dovecot.getMetadata('carol@example.com')) ?? undefined, 'METADATA set again by the new node');
      assert.equal(value, `user=${carol.userId}@${carol.contextId}`);
      // The entry is written inside the listener's start, a moment before the framework records it.
      await eventually(() => second.push.runningListeners().length === 1, 'the listener recorded');
      assert.deepEqual(second.push.runningListeners(), [{ ...carol, manager: 'dovecot', permanent: true, client: 'open-xchange-mobile-api-facade' }]);
      assert.equal(await second.push.unregisterPermanent({ ...carol, client: 'open-xchange-mobile-api-facade' }), true);
      assert.equal(await dovecot.getMetadata('carol@example.com'), null);
    } finally {
      await second.kernel.stop();
    }
  });
});

describe('push-dovecot with a real Dovecot: an unreachable server is retried, a refused login is not', { skip }, () => {
  let dovecot: DovecotServer;
  let keel: DovecotKernel;

  before(async () => {
    dovecot = await startDovecot({ users: [{ login: 'dave@example.com', password: 'dave-imap' }, { login: 'eve@example.com', password: 'eve-imap' }] });
    keel = await startDovecotKernel({}, {
      // Nothing listens on port 1 of 127.0.0.1: the first attempts fail with MSG-0003.
      'com.openexchange.mail.mailServer': 'imap://127.0.0.1:1',
      'com.openexchange.mail.loginSource': 'mail',
      'com.openexchange.push.credstorage.enabled': 'true',
      'com.openexchange.push.credstorage.passcrypt': 'pc',
      'keel.push.dovecot.registerRetries': '6',
      'keel.push.dovecot.registerRetryDelay': '100',
    });
  });

  after(async () => {
    await keel?.kernel.stop();
    await dovecot?.stop();
  });

  it('the listener runs, the registration is retried and succeeds once the server is reachable; a refused login starts nothing', async () => {
    const context = await keel.contexts.create({ name: 'example', loginMappings: ['example.com'] });
    const dave = await keel.users.create(context.id, { login: 'dave', password: 'x', displayName: 'Dave', email: 'dave@example.com' });
    const eve = await keel.users.create(context.id, { login: 'eve', password: 'x', displayName: 'Eve', email: 'eve@example.com' });
    await keel.push.registerPermanent({ contextId: context.id, userId: dave.id, client: 'USM-EAS' }, { password: 'dave-imap' });
    assert.deepEqual(keel.push.runningListeners().map((l) => l.userId), [dave.id]);
    assert.equal(await dovecot.getMetadata('dave@example.com'), null);

    await writeFile(join(keel.kernel.configDir, 'zz-mail.properties'), `com.openexchange.mail.mailServer=imap://127.0.0.1:${dovecot.imapPort}\n`);
    await keel.kernel.kernel.reload();
    const value = await eventually(async () => (await dovecot.getMetadata('dave@example.com')) ?? undefined, 'METADATA written by a retry');
    assert.equal(value, `user=${dave.id}@${context.id}`);

    await keel.push.registerPermanent({ contextId: context.id, userId: eve.id, client: 'USM-EAS' }, { password: 'wrong-imap-password' });
    assert.deepEqual(keel.push.runningListeners().map((l) => l.userId), [dave.id], 'eve has no listener, dave is unaffected');
    assert.equal(await dovecot.getMetadata('eve@example.com'), null);
  });
});
