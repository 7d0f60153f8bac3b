import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PushNotification } from '@keel/plugin-sdk';
import { loadBundle, recordingTransport, startTestKernel } from '@keel/plugin-sdk/testing';
import pushDovecot from '../src/index.js';
import { basic, eventually, notify, startDovecotKernel, type DovecotKernel } from './support.js';

describe('push-dovecot: the notify endpoint', () => {
  const delivered: PushNotification[] = [];
  let keel: DovecotKernel;
  let alice: { contextId: number; userId: number };
  let bob: { contextId: number; userId: number };
  let url: string;
  /** A notification for `user` with a marker subject; resolves once the PNS delivered the marker. */
  const body = (fields: Record<string, unknown>) => JSON.stringify({ event: 'messageNew', folder: 'INBOX', 'imap-uidvalidity': 1700000000, 'imap-uid': 1, ...fields });
  const deliveredSubject = (subject: string) => eventually(() => delivered.find((n) => n.messageData['subject'] === subject), `delivery of ${subject}`);

  before(async () => {
    // One routing worker: notifications are handled in the order they came, so "nothing for X" can be checked after "Y arrived".
    keel = await startDovecotKernel({ recording: recordingTransport((notification) => void delivered.push(notification), { id: 'recording', client: 'keel-test' }) }, { 'keel.push.dovecot.routingConcurrency': '1', 'keel.push.dovecot.maxBodyBytes': '4096' });
    url = keel.kernel.url;
    const context = await keel.contexts.create({ name: 'example', loginMappings: ['example.com'] });
    const a = await keel.users.create(context.id, { login: 'alice', password: 'alice-secret', displayName: 'Alice', email: 'alice@example.com' });
    const b = await keel.users.create(context.id, { login: 'bob', password: 'bob-secret', displayName: 'Bob', email: 'robert@example.com', aliases: ['bobby@example.com'] });
    alice = { contextId: a.contextId, userId: a.id };
    bob = { contextId: b.contextId, userId: b.id };
  });

  after(async () => {
    await keel?.kernel.stop();
  });

  it('a full messageNew: 200 {"success":true} and ox:mail:new with the mapped payload', async () => {
    const answer = await notify(url, JSON.stringify({
      user: `${alice.userId}@${alice.contextId}`, event: 'messageNew', folder: 'INBOX', 'imap-uidvalidity': 1700000000, 'imap-uid': 17,
      from: '=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <joerg@example.org>', subject: '=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=', snippet: 'Hello there', unseen: 4,
    }));
    assert.deepEqual([answer.status, answer.body], [200, { success: true }]);
    const notification = await deliveredSubject('Grüße');
    assert.deepEqual(notification, {
      contextId: alice.contextId, userId: alice.userId, topic: 'ox:mail:new',
      messageData: { folder: 'default0/INBOX', id: '17', email: 'joerg@example.org', displayname: 'Jörg Müller', subject: 'Grüße', unread: 4, teaser: 'Hello there' },
    });
  });

  it('POST and the /rest/ path are the same endpoint', async () => {
    assert.equal((await notify(url, body({ user: `${alice.userId}@${alice.contextId}`, subject: 'via POST' }), { method: 'POST' })).status, 200);
    assert.equal((await notify(url, body({ user: `${alice.userId}@${alice.contextId}`, subject: 'via rest path' }), { path: '/rest/http-notify/v1/notify' })).status, 200);
    await deliveredSubject('via POST');
    await deliveredSubject('via rest path');
  });

  it('an IMAP login instead of <uid>@<cid>: login@mapping, the mail address, an alias', async () => {
    for (const [user, expected, subject] of [['alice@example.com', alice, 'by login'], ['robert@example.com', bob, 'by address'], ['bobby@example.com', bob, 'by alias']] as const) {
      assert.equal((await notify(url, body({ user, subject }))).status, 200);
      const notification = await deliveredSubject(subject);
      assert.deepEqual([notification.contextId, notification.userId], [expected.contextId, expected.userId], user);
    }
  });

  it('unknown users: 200 (Dovecot must not retry), nothing delivered', async () => {
    const before = delivered.length;
    for (const user of ['999999@1', '1@999999', 'nobody@example.com', 'nobody@unknown.example', 'no-at-sign']) {
      const answer = await notify(url, body({ user, subject: `unknown ${user}` }));
      assert.deepEqual([answer.status, answer.body], [200, { success: true }], user);
    }
    await notify(url, body({ user: `${alice.userId}@${alice.contextId}`, subject: 'after the unknown ones' }));
    await deliveredSubject('after the unknown ones');
    assert.equal(delivered.length, before + 1);
  });

  it('events other than messageNew: 200, ignored', async () => {
    const before = delivered.length;
    for (const event of ['messageRead', 'messageTrash', 'flagsSet', 'MessageNew']) {
      assert.deepEqual((await notify(url, JSON.stringify({ user: `${alice.userId}@${alice.contextId}`, event, folder: 'INBOX', 'imap-uid': 3 }))).body, { success: true });
    }
    await notify(url, body({ user: `${alice.userId}@${alice.contextId}`, subject: 'after the ignored ones' }));
    await deliveredSubject('after the ignored ones');
    assert.equal(delivered.length, before + 1);
  });

  it('missing or wrong credentials: 401 with WWW-Authenticate, before anything is parsed', async () => {
    for (const authorization of [null, basic('dovecot', 'wrong'), basic('other', 'push-secret'), 'Bearer token']) {
      const answer = await notify(url, body({ user: `${alice.userId}@${alice.contextId}` }), { authorization });
      assert.equal(answer.status, 401, String(authorization));
      assert.equal(answer.headers.get('www-authenticate'), 'Basic realm="OX REST"');
      assert.equal(answer.body['code'], 'REST-0002');
    }
  });

  it('empty and malformed bodies: 400 with a clear error', async () => {
    const cases: Array<[string | undefined, string | null, string, RegExp]> = [
      [undefined, null, 'DOV-0001', /body is empty/],
      ['', 'text/plain', 'DOV-0001', /body is empty/],
      ['{"user":', 'text/plain', 'DOV-0001', /not JSON/],
      ['[1,2]', 'application/json', 'DOV-0001', /an array/],
      ['"text"', 'application/json', 'DOV-0001', /string/],
      ['{"user":', 'application/json', 'KEEL-HTTP-BODY', /./],
      ['', 'application/json', 'KEEL-HTTP-BODY', /./],
    ];
    for (const [payload, contentType, code, message] of cases) {
      const answer = await notify(url, payload, { contentType });
      assert.equal(answer.status, 400, `${contentType} ${payload}`);
      assert.equal(answer.body['code'], code, `${contentType} ${payload}`);
      assert.match(String(answer.body['error']), message);
    }
  });

  it('missing or mistyped fields: 400 DOV-0002 naming them', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ user: '1@1', folder: 'INBOX', 'imap-uid': 1 }, /missing field event/],
      [{ event: 'messageNew' }, /missing fields user, folder, imap-uid/],
      [{ event: 'messageNew', user: '1@1', folder: 'INBOX' }, /missing field imap-uid/],
      [{ event: 'messageNew', user: '1@1', folder: 'INBOX', 'imap-uid': 'x' }, /imap-uid must be an integer/],
      [{ event: 'messageNew', user: '1@1', folder: 'INBOX', 'imap-uid': 1, unseen: 'many' }, /unseen must be an integer/],
    ];
    for (const [payload, message] of cases) {
      const answer = await notify(url, JSON.stringify(payload));
      assert.equal(answer.status, 400, JSON.stringify(payload));
      assert.equal(answer.body['code'], 'DOV-0002');
      assert.match(String(answer.body['error']), message);
    }
  });

  it('huge bodies: 413, whether announced or streamed', async () => {
    const huge = body({ user: '1@1', snippet: 'x'.repeat(10_000) });
    const announced = await notify(url, huge);
    assert.equal(announced.status, 413);
    assert.equal(announced.body['code'], 'KEEL-HTTP-BODY-SIZE');
    const stream = new ReadableStream({ start(controller) { controller.enqueue(new TextEncoder().encode(huge)); controller.close(); } });
    const response = await fetch(`${url}/preliminary/http-notify/v1/notify`, {
      method: 'PUT', body: stream, duplex: 'half', headers: { authorization: basic('dovecot', 'push-secret'), 'content-type': 'application/json' },
    } as RequestInit);
    assert.equal(response.status, 413);
  });

  it('com.openexchange.push.dovecot.enabled=false for a user: answered, nothing delivered', async () => {
    await keel.users.setConfig(bob.contextId, bob.userId, { set: { 'com.openexchange.push.dovecot.enabled': 'false' } });
    const before = delivered.length;
    assert.equal((await notify(url, body({ user: `${bob.userId}@${bob.contextId}`, subject: 'bob disabled' }))).status, 200);
    await notify(url, body({ user: `${alice.userId}@${alice.contextId}`, subject: 'alice after bob disabled' }));
    await deliveredSubject('alice after bob disabled');
    assert.equal(delivered.length, before + 1);
    await keel.users.setConfig(bob.contextId, bob.userId, { remove: ['com.openexchange.push.dovecot.enabled'] });
  });
});

describe('push-dovecot without REST credentials', () => {
  it('answers 403 to every call', async () => {
    const names = ['storage-sql', 'auth', 'auth-database', 'sessiond', 'admin', 'pns-impl', 'rest', 'mail-imap'];
    const bundles = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await loadBundle(name)] as const)));
    const kernel = await startTestKernel({ bundles: { ...bundles, 'push-dovecot': pushDovecot }, files: { mpasswd: 'oxadminmaster:{PLAIN}x\n' }, startTimeoutMs: 20_000 });
    try {
      for (const authorization of [null, basic('dovecot', 'push-secret')]) {
        const answer = await notify(kernel.url, JSON.stringify({ event: 'messageNew', user: '1@1', folder: 'INBOX', 'imap-uid': 1 }), { authorization });
        assert.equal(answer.status, 403);
        assert.equal(answer.body['code'], 'REST-0001');
      }
    } finally {
      await kernel.stop();
    }
  });
});
