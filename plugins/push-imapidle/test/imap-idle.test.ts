import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PushListener } from '@keel/plugin-sdk';
import { readMetrics } from '@keel/plugin-sdk/testing';
import { dovecotSkipReason, startDovecot, type DovecotServer } from '@keel/test/harness';
import { eventually, login, logout, mailMessage, startImapIdleKernel, type ImapIdleKernel } from './support.js';

const skip = dovecotSkipReason();

/**
 * push-imapidle against a private Dovecot 2.3: LMTP deliveries become ox:mail:new notifications
 * (through the real pns-impl when it is built), a Dovecot restart is survived, a refused login
 * backs off, users do not affect each other.
 */
describe('push-imapidle with a real Dovecot', { skip }, () => {
  let dovecot: DovecotServer;
  let keel: ImapIdleKernel;
  const listeners: PushListener[] = [];
  // dave's IMAP password is his Keel password: the push framework hands the session's password on.
  const IMAP = { alice: 'alice-imap', bob: 'bob-imap', carol: 'carol-imap', dave: 'dave-secret' };

  const start = async (login: keyof typeof IMAP, password: string = IMAP[login]) => {
    const listener = await keel.manager.startListener({
      contextId: keel.context.id, userId: keel.ids[login]!, permanent: false, client: 'open-xchange-appsuite', password,
    });
    assert.ok(listener, `a listener for ${login}`);
    listeners.push(listener);
    return listener;
  };
  const idle = (login: string, connects = 1) =>
    eventually(() => {
      const status = keel.listener(login);
      return status && status.state === 'idle' && status.connects >= connects ? status : undefined;
    }, `${login}'s listener in IDLE (connection ${connects})`);
  const mailsFor = (login: string, count: number) =>
    eventually(() => (keel.forUser(login).length >= count ? keel.forUser(login) : undefined), `${count} ox:mail:new for ${login}`);

  before(async () => {
    dovecot = await startDovecot({ users: Object.entries(IMAP).map(([login, password]) => ({ login, password })) });
    try {
      keel = await startImapIdleKernel(dovecot, ['alice', 'bob', 'carol', 'dave']);
    } catch (error) {
      await dovecot.stop();
      throw error;
    }
  });

  after(async () => {
    for (const listener of listeners) await listener.stop();
    await keel?.kernel.stop();
    await dovecot?.stop();
  });

  it('reports a delivered message as ox:mail:new with sender, subject, unread count and teaser', async (t) => {
    await start('alice');
    await idle('alice');
    await dovecot.deliver('alice', mailMessage({ fromName: 'Jörg Müller', fromAddress: 'joerg@example.org', subject: 'Grüße aus Köln', body: 'Hallo Alice, wie geht es dir? Schöne Grüße' }));
    const [first] = await mailsFor('alice', 1);
    assert.equal(first!.topic, 'ox:mail:new');
    assert.deepEqual(first!.messageData, {
      folder: 'default0/INBOX', id: '1', email: 'joerg@example.org', displayname: 'Jörg Müller', subject: 'Grüße aus Köln', unread: 1,
      teaser: 'Hallo Alice, wie geht es dir? Schöne Grüße',
    });
  });

  it('sends one notification per message, also for a burst', async () => {
    const before = keel.forUser('alice').length;
    for (const n of [2, 3, 4]) {
      await dovecot.deliver('alice', mailMessage({ fromName: '', fromAddress: `sender${n}@example.org`, subject: `burst ${n}`, body: `body ${n}` }));
    }
    const all = await mailsFor('alice', before + 3);
    const fresh = all.slice(before).map((r) => r.messageData);
    assert.deepEqual(fresh.map((m) => m['id']), ['2', '3', '4']);
    assert.deepEqual(fresh.map((m) => m['email']), ['sender2@example.org', 'sender3@example.org', 'sender4@example.org']);
    for (const message of fresh) assert.equal('displayname' in message, false, 'an empty display name is left out');
    assert.equal(fresh[2]!['unread'], 4);
  });

  it('keeps users apart: a message for bob reaches only bob', async () => {
    await start('bob');
    await idle('bob');
    const aliceBefore = keel.forUser('alice').length;
    await dovecot.deliver('bob', mailMessage({ fromName: 'Ann', fromAddress: 'ann@example.org', subject: 'for bob', body: 'hi bob' }));
    const [bobs] = await mailsFor('bob', 1);
    assert.equal(bobs!.messageData['subject'], 'for bob');
    assert.equal(bobs!.messageData['id'], '1');
    await dovecot.deliver('alice', mailMessage({ fromName: 'Ann', fromAddress: 'ann@example.org', subject: 'for alice', body: 'hi alice' }));
    const alices = await mailsFor('alice', aliceBefore + 1);
    assert.deepEqual(alices.slice(aliceBefore).map((r) => r.messageData['subject']), ['for alice']);
    assert.equal(keel.forUser('bob').length, 1);
  });

  it('backs off on a refused login without a tight loop, and others keep working', async () => {
    const listener = await start('carol', 'wrong-password');
    // Dovecot itself delays refused logins from an address (auth penalty, seconds each): three suffice.
    const status = await eventually(() => {
      const s = keel.listener('carol');
      return s && s.failures >= 3 ? s : undefined;
    }, 'three refused logins of carol', 60_000);
    assert.equal(status.lastError?.code, 'IMI-0002');
    assert.equal(status.connects, 0);
    assert.ok(status.attempts <= status.failures + 1, `one attempt per retry (${status.attempts} attempts, ${status.failures} failures)`);
    // Exponential with jitter: each delay is at least half of base * 2^(n-1), capped at the maximum (800).
    status.retryDelaysMs.forEach((delay, i) => {
      const step = Math.min(800, 100 * 2 ** i);
      assert.ok(delay >= step / 2 && delay <= step, `retry ${i + 1} waited ${delay} ms, outside [${step / 2}, ${step}]`);
    });
    const aliceBefore = keel.forUser('alice').length;
    await dovecot.deliver('alice', mailMessage({ fromName: 'Ann', fromAddress: 'ann@example.org', subject: 'still here', body: 'x' }));
    await mailsFor('alice', aliceBefore + 1);
    await listener.stop();
    assert.equal(keel.listener('carol'), undefined, 'a stopped listener is gone, also from backoff');
  });

  it('one listener per user in this process (clusterLock local): a second start shares the connection', async () => {
    const second = await start('alice');
    assert.equal(keel.manager.listeners().filter((l) => l.userId === keel.ids['alice']).length, 1);
    await second.stop();
    assert.equal(keel.listener('alice')?.state, 'idle', 'the first start still holds the connection');
  });

  it('survives a Dovecot restart: reconnects and reports the next message', async () => {
    const before = keel.listener('alice')!.connects;
    const aliceBefore = keel.forUser('alice').length;
    await dovecot.restart();
    await idle('alice', before + 1);
    await idle('bob', 2);
    await dovecot.deliver('alice', mailMessage({ fromName: 'After', fromAddress: 'after@example.org', subject: 'after restart', body: 'back' }));
    const alices = await mailsFor('alice', aliceBefore + 1);
    assert.deepEqual(alices.slice(aliceBefore).map((r) => r.messageData['subject']), ['after restart']);
    assert.equal(alices.at(-1)!.messageData['id'], String(Number(alices.at(-2)!.messageData['id']) + 1), 'no message reported twice after the reconnect');
  });

  it('reports the IMAP connections it holds in its metrics source', async () => {
    const held = async () => (await readMetrics(keel.kernel, 'push-imapidle')).value('keel_imap_connections', { bundle: 'push-imapidle' });
    await idle('alice');
    await idle('bob');
    const inIdle = () => keel.manager.listeners().filter((l) => l.state === 'idle').length;
    assert.equal(inIdle(), 2);
    assert.equal(await held(), 2, "alice's and bob's connections");
    const carol = await start('carol');
    await idle('carol');
    assert.equal(await held(), 3);
    await carol.stop();
    assert.equal(await held(), 2, "carol's connection closed with her listener");
  });

    it('runs when the push framework starts it for a session of an allowed client, and stops with the session', async (t) => {
    const session = await login(keel.kernel.url, 'dave@example.com', 'dave-secret', 'open-xchange-mobile-api-facade');
    await idle('dave');
    await dovecot.deliver('dave', mailMessage({ fromName: 'Eve', fromAddress: 'eve@example.org', subject: 'framework', body: 'started by push' }));
    const [first] = await mailsFor('dave', 1);
    assert.equal(first!.messageData['subject'], 'framework');
    await logout(keel.kernel.url, session);
    await eventually(() => (keel.listener('dave') === undefined ? true : undefined), "dave's listener stopped with his last session");
  });
});
