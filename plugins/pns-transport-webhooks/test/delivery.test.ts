import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { readMetrics } from '@keel/plugin-sdk/testing';
import { adminSend, startReceiver, startWebhookKernel, subscribe, type Receiver, type WebhookKernel } from './support.js';

const SIGNATURE_SECRET = 'ox-signature-secret';
const STANDARD_KEY = Buffer.from('standard-webhooks-key-0123456789');
const MAIL = { folder: 'default0/INBOX', id: '113', email: 'jane.doe@foobar.com', displayname: 'Jane Doe', subject: "Let's meet", unread: 83, teaser: 'Hello' };

/** The receiver's own check of X-OX-Signature: t=<ms>, v1=<hex HMAC-SHA256(secret, "v1:" + t + ":" + body)>. */
function verifyOxSignature(header: string, body: Buffer, secret: string): number {
  const match = /^t=(\d+), v1=([0-9a-f]{64})$/.exec(header);
  assert.ok(match, `X-OX-Signature '${header}' has the form t=<ms>, v1=<hex>`);
  const expected = createHmac('sha256', secret).update(Buffer.concat([Buffer.from(`v1:${match[1]}:`), body])).digest();
  assert.ok(timingSafeEqual(expected, Buffer.from(match[2]!, 'hex')), 'X-OX-Signature verifies');
  return Number(match[1]);
}

/** Standard Webhooks: webhook-signature = v1,<base64 HMAC-SHA256(key, id.timestamp.body)>. */
function verifyStandardSignature(headers: Record<string, string | string[] | undefined>, body: Buffer, key: Buffer): void {
  const id = String(headers['webhook-id']);
  const timestamp = String(headers['webhook-timestamp']);
  assert.match(id, /^msg_[0-9a-f-]{36}$/);
  assert.match(timestamp, /^\d+$/);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  const signatures = String(headers['webhook-signature']).split(' ').map((s) => s.split(',')[1]);
  assert.ok(signatures.includes(expected), 'webhook-signature verifies');
}

describe('webhook transport against a local receiver', () => {
  let receiver: Receiver;
  let kit: WebhookKernel;
  let alice: number;
  let bob: number;

  before(async () => {
    receiver = await startReceiver();
    kit = await startWebhookKernel({
      properties: {
        'com.openexchange.pns.transport.webhooks.allowLocalWebhooks': 'true',
        'com.openexchange.pns.transport.webhooks.httpsOnly': 'false',
        'com.openexchange.pns.transport.webhooks.retryBaseDelay': '1',
        'com.openexchange.pns.transport.webhooks.retryMaxDelay': '5',
        'com.openexchange.pns.transport.webhooks.maxRetries': '3',
        'com.openexchange.pns.transport.webhooks.readTimeout': '300',
        'com.openexchange.webhooks.enabledIds': 'receiver, basic, limited, free, unshared',
      },
      webhooksYml: [
        'receiver:',
        `  uri: ${receiver.url}/hooks`,
        '  webhookSecret: Bearer receiver-token',
        `  signatureSecret: ${SIGNATURE_SECRET}`,
        '  standardWebhooks: true',
        `  standardWebhooksSecret: whsec_${STANDARD_KEY.toString('base64')}`,
        'basic:',
        `  uri: ${receiver.url}/basic`,
        '  uriValidationMode: exact',
        '  login: hook-user',
        '  password: hook-pass',
        'limited:',
        `  uri: ${receiver.url}/limited`,
        '  maxNumberOfSubscriptionsPerUser: 1',
        '  maxTimeToLiveMillis: 60000',
        'unshared:',
        `  uri: ${receiver.url}/unshared`,
        '  allowSharedUri: false',
        'free:',
        '  uriValidationMode: none',
        'configured-but-not-enabled:',
        `  uri: ${receiver.url}/off`,
        'broken--id:',
        `  uri: ${receiver.url}/never`,
      ].join('\n'),
    });
    alice = kit.userIds.alice!;
    bob = kit.userIds.bob!;
  });
  after(async () => {
    await kit?.stop();
    await receiver?.close();
  });

  it('POSTs the exact body and headers, signed with X-OX-Signature and the Standard Webhooks headers', async () => {
    assert.deepEqual(await subscribe(kit, 'alice', { client: 'receiver', token: '' }), { status: 200, body: { data: { success: true } } });
    const stored = await kit.store.list(kit.contextId, alice);
    assert.deepEqual(stored.map((s) => [s.client, s.transport, s.token]), [['receiver', 'webhook', `${receiver.url}/hooks`]], 'an empty token means the configured URI');

    assert.equal(await adminSend(kit, alice, 'ox:mail:new', MAIL), 1);
    const [request] = await receiver.waitFor('/hooks', 1);
    assert.equal(request!.method, 'POST');
    assert.equal(request!.headers['content-type'], 'application/json; charset=UTF-8');
    assert.equal(request!.headers['user-agent'], 'Open-Xchange Webhook Client');
    assert.equal(request!.headers.authorization, 'Bearer receiver-token');
    assert.equal(request!.headers['content-length'], String(request!.body.length));
    const timestamp = verifyOxSignature(String(request!.headers['x-ox-signature']), request!.body, SIGNATURE_SECRET);
    assert.equal(
      request!.body.toString('utf8'),
      JSON.stringify({ event: 'ox:mail:new', payload: { ...MAIL, user: alice, context: kit.contextId, email1: 'alice@example.com' }, timestamp }),
      'event, payload (message data, user, context, email1) and timestamp, in that order',
    );
    verifyStandardSignature(request!.headers, request!.body, STANDARD_KEY);
    assert.equal(request!.headers['webhook-timestamp'], String(Math.floor(timestamp / 1000)));
  });

  it('sends HTTP Basic credentials when no webhookSecret is configured; exact mode takes only the configured URI', async () => {
    const refused = await subscribe(kit, 'bob', { client: 'basic', token: `${receiver.url}/basic/other` });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.code, 'WHK-0003');
    assert.equal((await subscribe(kit, 'bob', { client: 'basic', token: `${receiver.url}/basic` })).status, 200);
    assert.equal(await adminSend(kit, bob, 'ox:calendar:updates', { folders: ['cal://0/30'], sourceToken: 'abc' }), 1);
    const [request] = await receiver.waitFor('/basic', 1);
    assert.equal(request!.headers.authorization, `Basic ${Buffer.from('hook-user:hook-pass').toString('base64')}`);
    assert.equal(request!.headers['x-ox-signature'], undefined, 'no signatureSecret, no signature');
    assert.equal(request!.headers['webhook-signature'], undefined);
    const body = JSON.parse(request!.body.toString('utf8')) as { event: string; payload: Record<string, unknown> };
    assert.deepEqual(body.payload, { folders: ['cal://0/30'], sourceToken: 'abc', user: bob, context: kit.contextId, email1: 'bob@example.com' });
  });

  it('validates subscriptions: prefix mode, unknown and disabled webhooks, TTL, per-user maximum', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ client: 'receiver', token: `${receiver.url}/hooksevil` }, 'WHK-0003', 'start with'],
      [{ client: 'receiver', token: `http://localhost:${receiver.port}/hooks` }, 'WHK-0003', 'start with'],
      [{ client: 'receiver', token: 'not a uri' }, 'WHK-0003', 'absolute URI'],
      [{ client: 'free', token: 'ftp://127.0.0.1/x' }, 'WHK-0003', 'scheme'],
      [{ client: 'free', token: '' }, 'WHK-0003', 'no configured uri'],
      [{ client: 'nobody', token: '' }, 'WHK-0001', 'nobody'],
      [{ client: 'broken--id', token: '' }, 'WHK-0001', 'broken--id'],
      [{ client: 'configured-but-not-enabled', token: '' }, 'WHK-0002', 'enabledIds'],
    ];
    for (const [body, code, mention] of cases) {
      const answer = await subscribe(kit, 'bob', body);
      assert.equal(answer.body.code, code, JSON.stringify(body));
      assert.ok(String(answer.body.error).includes(mention), String(answer.body.error));
    }
    assert.equal((await subscribe(kit, 'bob', { client: 'receiver', token: `${receiver.url}/hooks/bob?x=1` })).status, 200, 'below the configured path');

    const before = Date.now();
    assert.equal((await subscribe(kit, 'bob', { client: 'limited', token: '', expires: Date.now() + 86_400_000 })).status, 200);
    const limited = (await kit.store.list(kit.contextId, bob)).find((s) => s.client === 'limited')!;
    assert.ok(limited.expires! >= before + 60_000 && limited.expires! <= Date.now() + 60_000, 'expires capped at maxTimeToLiveMillis');
    assert.equal((await subscribe(kit, 'bob', { client: 'limited', token: '' })).status, 200, 'the same URI again replaces');
    const second = await subscribe(kit, 'bob', { client: 'limited', token: `${receiver.url}/limited/2` });
    assert.equal(second.status, 409);
    assert.equal(second.body.code, 'PNS-0003');
  });

  it('a shared URI stays with every user; allowSharedUri=false moves it to the newest subscriber', async () => {
    assert.equal((await subscribe(kit, 'bob', { client: 'receiver', token: '' })).status, 200);
    const holders = async (client: string) => (await kit.store.interested(kit.contextId, [alice, bob], 'ox:mail:new'))
      .filter((m) => m.client === client).map((m) => m.userId).sort();
    assert.deepEqual(await holders('receiver'), [alice, bob, bob].sort(), "alice and bob share the receiver's URI");
    assert.equal((await subscribe(kit, 'alice', { client: 'unshared', token: '' })).status, 200);
    assert.equal((await subscribe(kit, 'bob', { client: 'unshared', token: '' })).status, 200);
    assert.deepEqual(await holders('unshared'), [bob]);
  });

  it('cascade: webhooks.enabled with client/topic suffixes and enabledIds per user', async () => {
    const before = receiver.requestsTo('/unshared').length;
    await kit.users.setConfig(kit.contextId, bob, { set: { 'com.openexchange.pns.transport.webhooks.enabled.unshared.ox:mail:new': 'false' } });
    await adminSend(kit, bob, 'ox:mail:new', { id: 'off' });
    await adminSend(kit, bob, 'ox:calendar:updates', { folders: [] });
    await receiver.waitFor('/unshared', before + 1);
    assert.deepEqual(receiver.requestsTo('/unshared').slice(before).map((r) => JSON.parse(r.body.toString()).event), ['ox:calendar:updates']);
    // enabledIds per user: without 'unshared' bob gets nothing from it, even with the switch on.
    await kit.users.setConfig(kit.contextId, bob, {
      set: { 'com.openexchange.webhooks.enabledIds': 'receiver' },
      remove: ['com.openexchange.pns.transport.webhooks.enabled.unshared.ox:mail:new'],
    });
    await adminSend(kit, bob, 'ox:mail:new', { id: 'not-enabled' });
    await kit.users.setConfig(kit.contextId, bob, { remove: ['com.openexchange.webhooks.enabledIds'] });
    await adminSend(kit, bob, 'ox:mail:new', { id: 'on-again' });
    await receiver.waitFor('/unshared', before + 2);
    assert.deepEqual(receiver.requestsTo('/unshared').slice(before).map((r) => JSON.parse(r.body.toString()).payload.id ?? null), [null, 'on-again']);
  });

  it('removes the subscription when the receiver answers 404, 403 or 405', async () => {
    for (const status of [404, 403, 405]) {
      const path = `/hooks/gone-${status}`;
      assert.equal((await subscribe(kit, 'alice', { client: 'receiver', token: `${receiver.url}${path}` })).status, 200);
      receiver.script(path, { status });
      await adminSend(kit, alice, 'ox:mail:new', { id: `for-${status}` });
      await receiver.waitFor(path, 1);
      const tokens = (await kit.store.list(kit.contextId, alice)).map((s) => s.token);
      assert.equal(tokens.includes(`${receiver.url}${path}`), false, `removed after ${status}`);
      assert.equal(receiver.requestsTo(path).length, 1, 'not retried');
    }
  });

  it('retries 503 with backoff and then delivers the same signed bytes', async () => {
    const path = '/hooks/flaky';
    assert.equal((await subscribe(kit, 'alice', { client: 'receiver', token: `${receiver.url}${path}` })).status, 200);
    receiver.script(path, { status: 503 }, { status: 503 });
    await adminSend(kit, alice, 'ox:mail:new', { id: 'flaky' });
    const requests = await receiver.waitFor(path, 3);
    assert.equal(requests.length, 3);
    for (const request of requests) {
      assert.deepEqual(request.body, requests[0]!.body);
      assert.equal(request.headers['x-ox-signature'], requests[0]!.headers['x-ox-signature']);
      assert.equal(request.headers['webhook-id'], requests[0]!.headers['webhook-id'], 'one message id across retries');
      verifyOxSignature(String(request.headers['x-ox-signature']), request.body, SIGNATURE_SECRET);
    }
    assert.ok((await kit.store.list(kit.contextId, alice)).some((s) => s.token === `${receiver.url}${path}`), 'kept');
  });

  it('gives up after maxRetries on persistent 5xx and on read timeouts', async () => {
    const failing = '/hooks/down';
    assert.equal((await subscribe(kit, 'alice', { client: 'receiver', token: `${receiver.url}${failing}` })).status, 200);
    receiver.script(failing, ...Array.from({ length: 10 }, () => ({ status: 500 })));
    await adminSend(kit, alice, 'ox:mail:new', { id: 'down' });
    assert.equal(receiver.requestsTo(failing).length, 4, 'one attempt and three retries, then no more');

    const silent = '/hooks/silent';
    assert.equal((await subscribe(kit, 'alice', { client: 'receiver', token: `${receiver.url}${silent}` })).status, 200);
    receiver.script(silent, { status: 0, hang: true }, { status: 0, hang: true });
    await adminSend(kit, alice, 'ox:mail:new', { id: 'silent' });
    assert.equal(receiver.requestsTo(silent).length, 3, 'two read timeouts retried, the third attempt answered');
  });

  it('follows 307 redirects, keeping Authorization only on the same origin; 302 is not followed', async () => {
    const path = '/hooks/moved';
    assert.equal((await subscribe(kit, 'alice', { client: 'receiver', token: `${receiver.url}${path}` })).status, 200);
    receiver.script(path, { status: 307, headers: { location: '/hooks/new-home' } }, { status: 307, headers: { location: `http://localhost:${receiver.port}/elsewhere` } }, { status: 302, headers: { location: '/hooks/new-home' } });
    await adminSend(kit, alice, 'ox:mail:new', { id: 'moved-1' });
    const [same] = await receiver.waitFor('/hooks/new-home', 1);
    assert.equal(same!.headers.authorization, 'Bearer receiver-token');
    verifyOxSignature(String(same!.headers['x-ox-signature']), same!.body, SIGNATURE_SECRET);
    await adminSend(kit, alice, 'ox:mail:new', { id: 'moved-2' });
    const [other] = await receiver.waitFor('/elsewhere', 1);
    assert.equal(other!.headers.authorization, undefined, 'no credentials for another origin');
    await adminSend(kit, alice, 'ox:mail:new', { id: 'moved-3' });
    assert.equal(receiver.requestsTo('/hooks/new-home').length, 1, '302 turns a POST into a GET: not followed');
  });

  it('counts deliveries by outcome and retries in its metrics source', async () => {
    // A port nobody listens on: every attempt is refused by the TCP stack, a retryable network failure.
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    // A user of its own, so the subscriptions of the other tests are not delivered again.
    const carol = (await kit.users.create(kit.contextId, { login: 'carol', password: 'carol-secret', displayName: 'carol', email: 'carol@example.com' })).id;
    const webhookOf = (client: string, token: string) => ({ contextId: kit.contextId, userId: carol, client, token, transport: 'webhook', topics: ['*'] });
    await kit.store.subscribe(webhookOf('receiver', `${receiver.url}/hooks/metrics`));
    await kit.store.subscribe(webhookOf('free', `http://127.0.0.1:${closed}/hooks`));
    const before = await readMetrics(kit.kernel, 'pns-transport-webhooks');
    const pnsBefore = await readMetrics(kit.kernel, 'pns-impl');
    const outcome = (metrics: typeof before, name: string) => metrics.value('keel_webhook_deliveries_total', { outcome: name })!;

    assert.equal(await adminSend(kit, carol, 'ox:mail:new', { id: 'metrics' }), 2);
    const after = await readMetrics(kit.kernel, 'pns-transport-webhooks');
    // Retries end inside deliver(), so pns-impl learns the final outcome from it: one of two failed.
    const pnsAfter = await readMetrics(kit.kernel, 'pns-impl');
    const pnsCount = (name: string) => pnsAfter.value(name, { transport: 'webhook' })! - pnsBefore.value(name, { transport: 'webhook' })!;
    assert.deepEqual([pnsCount('keel_pns_delivered_total'), pnsCount('keel_pns_failed_total')], [1, 1]);
    assert.equal(outcome(after, 'delivered') - outcome(before, 'delivered'), 1);
    assert.equal(outcome(after, 'failed') - outcome(before, 'failed'), 1, 'the closed port, after its retries');
    assert.equal(outcome(after, 'refused') - outcome(before, 'refused'), 0);
    assert.equal(after.value('keel_webhook_retries_total')! - before.value('keel_webhook_retries_total')!, 3, 'maxRetries=3');
  });
});
