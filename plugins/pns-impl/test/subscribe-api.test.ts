import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KeelError, subscriptionStoreRef, type SubscriptionStore } from '@keel/plugin-sdk';
import { createRecordingTransport, pnsAction, startPnsKernel, type PnsKernel } from './support.js';

describe('PUT /appsuite/api/pns?action=subscribe|unsubscribe', () => {
  let kit: PnsKernel;
  let store: SubscriptionStore;
  let url: string;
  let alice: Awaited<ReturnType<PnsKernel['login']>>;

  before(async () => {
    const picky = createRecordingTransport('picky', {
      // A transport's own checks run before anything is stored.
      async validate(subscription) {
        if (!subscription.token.startsWith('ok-')) throw new KeelError('PICKY-0001', 'tokens must start with ok-', { status: 400 });
        return { ...subscription, token: subscription.token.toUpperCase() };
      },
    });
    kit = await startPnsKernel({ bundles: { 'test-transport': createRecordingTransport('test').bundle, picky: picky.bundle } });
    store = kit.kernel.get(subscriptionStoreRef)!;
    url = kit.kernel.url;
    alice = await kit.login('alice', 'open-xchange-mobile-api-facade');
  });
  after(() => kit?.stop());

  const subscribe = (body: unknown, init?: { contentType?: string; raw?: string }) => pnsAction(url, 'subscribe', alice, body, init);
  const good = { token: 'device-1', transport: 'test', topics: ['ox:mail:new', 'ox:calendar:*'] };

  it('stores a subscription with the session\'s client by default and answers {"data":{"success":true}}', async () => {
    const answer = await subscribe(good);
    assert.deepEqual(answer, { status: 200, body: { data: { success: true } } });
    const listed = await store.list(kit.contextId, kit.userIds.alice!);
    assert.deepEqual(listed.map((s) => [s.token, s.client, s.transport, [...s.topics].sort().join(',')]), [
      ['device-1', 'open-xchange-mobile-api-facade', 'test', 'ox:calendar:*,ox:mail:new'],
    ]);
  });

  it('takes an explicit client, meta and expires, and a text/javascript body as the App Suite UI sends it', async () => {
    const expires = Date.now() + 3_600_000;
    const body = { client: 'my-app', token: 'device-2', transport: 'test', topics: ['*'], meta: { model: 'phone' }, expires };
    assert.equal((await subscribe(undefined, { contentType: 'text/javascript; charset=UTF-8', raw: JSON.stringify(body) })).status, 200);
    const stored = (await store.list(kit.contextId, kit.userIds.alice!)).find((s) => s.token === 'device-2')!;
    assert.deepEqual({ client: stored.client, meta: stored.meta, expires: stored.expires }, { client: 'my-app', meta: { model: 'phone' }, expires });
  });

  it('runs the transport\'s validate() first; it may refuse or rewrite', async () => {
    const refused = await subscribe({ token: 'bad', transport: 'picky', topics: ['*'] });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.code, 'PICKY-0001');
    assert.equal((await subscribe({ token: 'ok-abc', transport: 'picky', topics: ['*'] })).status, 200);
    assert.ok((await store.list(kit.contextId, kit.userIds.alice!)).some((s) => s.token === 'OK-ABC' && s.transport === 'picky'));
  });

  it('unsubscribes one token, or every token of the client and transport', async () => {
    await subscribe({ ...good, token: 'device-3' });
    assert.deepEqual(await pnsAction(url, 'unsubscribe', alice, { token: 'device-3', transport: 'test' }), { status: 200, body: { data: { success: true } } });
    let tokens = (await store.list(kit.contextId, kit.userIds.alice!)).map((s) => s.token).sort();
    assert.deepEqual(tokens, ['OK-ABC', 'device-1', 'device-2']);
    assert.equal((await pnsAction(url, 'unsubscribe', alice, { transport: 'test' })).status, 200);
    tokens = (await store.list(kit.contextId, kit.userIds.alice!)).map((s) => s.token).sort();
    assert.deepEqual(tokens, ['OK-ABC', 'device-2'], "my-app's subscription and picky's stay");
    assert.equal((await pnsAction(url, 'unsubscribe', alice, { client: 'my-app', transport: 'test' })).status, 200);
    assert.deepEqual((await store.list(kit.contextId, kit.userIds.alice!)).map((s) => s.token), ['OK-ABC']);
  });

  it('refuses requests without a valid session and secret cookie', async () => {
    const none = await pnsAction(url, 'subscribe', undefined, good);
    assert.equal(none.status, 401);
    assert.equal(none.body.code, 'SES-0203');
    const wrongCookie = await pnsAction(url, 'subscribe', { session: alice.session, cookie: `${kit.sessions.cookieName(alice.session)}=wrong` }, good);
    assert.equal(wrongCookie.status, 403);
    assert.equal(wrongCookie.body.code, 'SES-0205');
    const unknown = await pnsAction(url, 'unsubscribe', { session: { ...alice.session, sessionId: 'nope' }, cookie: alice.cookie }, { transport: 'test' });
    assert.equal(unknown.status, 401);
  });

  const bad: Array<[string, unknown, string, string]> = [
    ['a JSON array body', [good], 'PNS-0004', 'body'],
    ['a missing token', { transport: 'test', topics: ['*'] }, 'PNS-0004', 'token'],
    ['a numeric token', { ...good, token: 42 }, 'PNS-0004', 'token'],
    ['a token with a newline', { ...good, token: 'a\nb' }, 'PNS-0004', 'token'],
    ['an empty token', { ...good, token: '' }, 'PNS-0004', 'token'],
    ['an oversized token', { ...good, token: 'x'.repeat(2049) }, 'PNS-0004', 'token'],
    ['a missing transport', { token: 'd', topics: ['*'] }, 'PNS-0004', 'transport'],
    ['a transport that is an object', { ...good, transport: { id: 'test' } }, 'PNS-0004', 'transport'],
    ['an unknown transport', { ...good, transport: 'carrier-pigeon' }, 'PNS-0002', 'carrier-pigeon'],
    ['missing topics', { token: 'd', transport: 'test' }, 'PNS-0004', 'topics'],
    ['topics as a string', { ...good, topics: 'ox:mail:new' }, 'PNS-0004', 'topics'],
    ['no topics', { ...good, topics: [] }, 'PNS-0004', 'topics'],
    ['a numeric topic', { ...good, topics: [7] }, 'PNS-0004', 'topics'],
    ['a topic with ::', { ...good, topics: ['ox::mail'] }, 'PNS-0001', 'ox::mail'],
    ['a topic with a trailing :', { ...good, topics: ['ox:mail:'] }, 'PNS-0001', 'ox:mail:'],
    ['a topic with a space', { ...good, topics: ['ox:mail new'] }, 'PNS-0001', 'ox:mail new'],
    ['a wildcard in the middle', { ...good, topics: ['ox:*:new'] }, 'PNS-0001', 'ox:*:new'],
    ['an empty client', { ...good, client: '' }, 'PNS-0004', 'client'],
    ['a client with spaces', { ...good, client: 'my client' }, 'PNS-0004', 'client'],
    ['meta as an array', { ...good, meta: [1] }, 'PNS-0004', 'meta'],
    ['oversized meta', { ...good, meta: { blob: 'x'.repeat(5000) } }, 'PNS-0004', 'meta'],
    ['expires as a string', { ...good, expires: '2030-01-01' }, 'PNS-0004', 'expires'],
    ['expires in the past', { ...good, expires: 1000 }, 'PNS-0004', 'expires'],
  ];
  for (const [what, body, code, mention] of bad) {
    it(`answers 400 ${code} for ${what}`, async () => {
      const answer = await subscribe(body);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(answer.body.code, code);
      assert.ok(String(answer.body.error).includes(mention), `${String(answer.body.error)} names ${mention}`);
    });
  }

  it('answers 400 for a body that is not JSON and for an unsubscribe without transport', async () => {
    const notJson = await subscribe(undefined, { contentType: 'text/javascript', raw: '{"token": ' });
    assert.equal(notJson.status, 400);
    const unsubscribe = await pnsAction(url, 'unsubscribe', alice, { token: 'device-1' });
    assert.equal(unsubscribe.status, 400);
    assert.equal(unsubscribe.body.code, 'PNS-0004');
    assert.ok(String(unsubscribe.body.error).includes('transport'));
  });

  it('refuses oversized bodies with 413 before parsing them', async () => {
    const answer = await subscribe({ ...good, padding: 'x'.repeat(70 * 1024) });
    assert.equal(answer.status, 413);
    assert.equal(answer.body.code, 'KEEL-HTTP-BODY-SIZE');
  });

  it('stays up and stores nothing for any of the bad requests', async () => {
    const tokens = (await store.list(kit.contextId, kit.userIds.alice!)).map((s) => s.token).sort();
    assert.deepEqual(tokens, ['OK-ABC']);
    assert.equal((await subscribe({ ...good, token: 'after-the-storm' })).status, 200);
  });
});
