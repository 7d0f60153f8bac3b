import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pushTransportRef, subscriptionStoreRef, type PushMatch, type PushNotification } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import wnsBundle from '../src/index.js';
import type { WnsTransport } from '../src/wns-transport.js';
import { startFakeWns, type FakeWns } from './fake-wns.js';
import { MemorySubscriptionStore } from '@keel/plugin-sdk/testing';
import { createTestPki, opensslMissing, type TestPki } from './pki.js';

const skip = opensslMissing();
const P = 'com.openexchange.pns.transport.wns.';
const SID = 'ms-app://s-1-15-2-2972962901-2322836549-3722629029-1345238579-3987825745-2155616079-650196962';
const SECRET = 'Vex8L9WOFZuj95euaLrvSH7XyoDhLJc7';

let pki: TestPki;
let wns: FakeWns;
const kernels: TestKernel[] = [];

before(async () => {
  if (skip) return;
  pki = createTestPki();
  wns = await startFakeWns({ key: pki.serverKey, cert: pki.serverCert, sid: SID, secret: SECRET });
});

after(async () => {
  for (const keel of kernels) await keel.stop();
  await wns?.close();
  pki?.remove();
});

const q = (value: string): string => JSON.stringify(value);
const client = (name = 'windows', secret = SECRET) => `${name}:\n  enabled: true\n  sid: ${q(SID)}\n  secret: ${q(secret)}\n`;

async function boot(yaml: string, properties: Record<string, string> = { [`${P}enabled`]: 'true' }): Promise<{ transport: WnsTransport; store: MemorySubscriptionStore }> {
  const store = new MemorySubscriptionStore();
  const keel = await startTestKernel({
    bundles: { 'pns-transport-wns': wnsBundle },
    services: [[subscriptionStoreRef, store]],
    properties: {
      [`${P}oauth.tokenUrl`]: wns.tokenUrl,
      [`${P}channelHosts`]: '127.0.0.1, *.notify.windows.com',
      [`${P}trustedCaFile`]: pki.caFile,
      [`${P}maxRetries`]: '2',
      [`${P}retryBaseMillis`]: '1',
      [`${P}retryMaxMillis`]: '5',
      ...properties,
    },
    files: { 'pns-wns-options.yml': yaml },
    http: false,
  });
  kernels.push(keel);
  assert.equal(keel.bundle('pns-transport-wns')?.state, 'ACTIVE');
  const transport = keel.getAll(pushTransportRef).find((t) => t.id === 'wns') as WnsTransport | undefined;
  assert.ok(transport);
  return { transport, store };
}

const mailNew = (overrides: Record<string, unknown> = {}): PushNotification => ({
  contextId: 1, userId: 3, topic: 'ox:mail:new',
  messageData: { folder: 'default0/INBOX', id: '113', email: 'jane.doe@foobar.com', displayname: 'Jane <Doe> & Co', subject: "Let's meet", unread: 83, teaser: 'Hello', ...overrides },
});

const match = (token: string, name = 'windows', topic = 'ox:mail:new'): PushMatch => ({ contextId: 1, userId: 3, token, client: name, transport: 'wns', topic });

describe('WNS transport', { skip }, () => {
  test('client credentials buy one access token; ox:mail:new is a toast POSTed to each channel URI', async () => {
    const { transport } = await boot(client());
    const tokensBefore = wns.tokenRequests.length;
    const channels = [wns.channel(), wns.channel(), wns.channel()];
    await transport.deliver(mailNew(), channels.map((c) => match(c)));
    await transport.deliver(mailNew(), [match(channels[0]!)]);

    assert.equal(wns.tokenRequests.length - tokensBefore, 1, 'cached');
    assert.deepEqual(wns.tokenRequests.at(-1)!.form, { grant_type: 'client_credentials', client_id: SID, client_secret: SECRET, scope: 'notify.windows.com' });
    const seen = wns.notifications.filter((n) => channels.includes(n.channel));
    assert.equal(seen.length, 4);
    const first = seen[0]!;
    assert.match(String(first.headers['authorization']), /^Bearer /);
    assert.equal(first.headers['x-wns-type'], 'wns/toast');
    assert.equal(first.headers['content-type'], 'text/xml');
    assert.equal(first.headers['x-wns-ttl'], '86400');
    assert.equal(first.body,
      '<toast launch="topic=ox%3Amail%3Anew&amp;folder=default0%2FINBOX&amp;id=113"><visual><binding template="ToastGeneric">'
      + '<text>Jane &lt;Doe&gt; &amp; Co</text><text>Let&apos;s meet</text></binding></visual></toast>');
    assert.equal(transport.stats().sent, 4);
  });

  test('other topics are raw notifications carrying the JSON message', async () => {
    const { transport } = await boot(client());
    const channel = wns.channel();
    await transport.deliver({ contextId: 1, userId: 3, topic: 'ox:calendar:updates', messageData: { folders: ['cal://0/30'] } }, [match(channel, 'windows', 'ox:calendar:updates')]);
    const seen = wns.notifications.find((n) => n.channel === channel)!;
    assert.equal(seen.headers['x-wns-type'], 'wns/raw');
    assert.equal(seen.headers['content-type'], 'application/octet-stream');
    assert.deepEqual(JSON.parse(seen.body), { folders: ['cal://0/30'], topic: 'ox:calendar:updates' });
  });

  test('404 and 410 remove the subscription; 400, 403 and 413 are logged, neither removed nor retried', async () => {
    const { transport, store } = await boot(client());
    const [unknown, expired, bad, foreign, large] = [wns.channel(), wns.channel(), wns.channel(), wns.channel(), wns.channel()];
    for (const token of [unknown, expired, bad, foreign, large]) await store.subscribe({ contextId: 1, userId: 3, token, client: 'windows', transport: 'wns', topics: ['*'] });
    wns.script(unknown, 404);
    wns.script(expired, 410);
    wns.script(bad, 400);
    wns.script(foreign, 403);
    wns.script(large, 413);
    const outcome = await transport.deliver(mailNew(), [unknown, expired, bad, foreign, large].map((c) => match(c)));
    assert.deepEqual(outcome, { failed: 5 }, 'dead channels are not delivered: they fail like the rejections');
    assert.deepEqual(store.removedTokens.map((r) => r.token).sort(), [expired, unknown].sort());
    assert.ok(store.removedTokens.every((r) => r.transport === 'wns'));
    for (const channel of [bad, foreign, large]) assert.equal(wns.attempts(channel), 1);
    assert.deepEqual(transport.stats(), { sent: 0, removed: 2, retried: 0, failed: 3 });
  });

  test('406 (throttled), 500 and 503 are retried with backoff, at most maxRetries times', async () => {
    const { transport } = await boot(client());
    const [throttled, flaky, down] = [wns.channel(), wns.channel(), wns.channel()];
    wns.script(throttled, 406);
    wns.script(flaky, 500, 503);
    wns.script(down, 503, 503, 503, 503);
    await transport.deliver(mailNew(), [throttled, flaky, down].map((c) => match(c)));
    assert.equal(wns.attempts(throttled), 2);
    assert.equal(wns.attempts(flaky), 3);
    assert.equal(wns.attempts(down), 3, 'first attempt + maxRetries (2)');
    assert.deepEqual(transport.stats(), { sent: 2, removed: 0, retried: 5, failed: 1 });
  });

  test('401: the access token is fetched again and the push retried', async () => {
    const { transport } = await boot(client());
    await transport.deliver(mailNew(), [match(wns.channel())]);
    const tokensBefore = wns.tokenRequests.length;
    wns.revokeAccessTokens();
    const channel = wns.channel();
    await transport.deliver(mailNew(), [match(channel)]);
    assert.equal(wns.attempts(channel), 2);
    assert.equal(wns.notifications.find((n) => n.channel === channel)?.answered, 200);
    assert.equal(wns.tokenRequests.length - tokensBefore, 1);
  });

  test('a refused client secret fails the notification once for all channels, without sending', async () => {
    const { transport } = await boot(client('wrongsecret', 'not-the-secret'));
    const tokensBefore = wns.tokenRequests.length;
    const channels = [wns.channel(), wns.channel()];
    await transport.deliver(mailNew(), channels.map((c) => match(c, 'wrongsecret')));
    assert.equal(wns.tokenRequests.length - tokensBefore, 1, 'a 400 from the token endpoint is not retried');
    assert.equal(channels.reduce((sum, c) => sum + wns.attempts(c), 0), 0);
    assert.equal(transport.stats().failed, 2);
  });

  test('channel URIs must be https on an allowed host: validated on subscribe, and nothing is sent elsewhere', async () => {
    const { transport } = await boot(client(), { [`${P}enabled`]: 'true', [`${P}channelHosts`]: '*.notify.windows.com' });
    const subscription = { contextId: 1, userId: 3, token: 'https://db5.notify.windows.com/?token=AwYAAAB', client: 'windows', transport: 'wns', topics: ['*'] };
    assert.deepEqual(await transport.validate!(subscription), subscription);
    for (const token of ['http://db5.notify.windows.com/?token=x', 'https://evil.example.com/?token=x', 'https://notify.windows.com.evil.example/?t=x', 'not a uri', wns.channel()]) {
      await assert.rejects(transport.validate!({ ...subscription, token }), { code: 'PNS-WNS-0007', status: 400 }, token);
    }
    const local = wns.channel();
    await transport.deliver(mailNew(), [match(local)]);
    assert.equal(wns.attempts(local), 0, 'the bearer token never goes to a host that is not allowed');
    assert.equal(transport.stats().failed, 1);
  });

  test('a client without sid or secret is disabled; the others work', async () => {
    const yaml = [client('good'), `nosecret:\n  sid: ${q(SID)}\n`, 'numeric:\n  sid: 1234567890123456789012345\n  secret: x\n', `off:\n  enabled: false\n  sid: a\n  secret: b\n`].join('');
    const { transport } = await boot(yaml);
    assert.deepEqual(transport.clients(), ['good']);
    for (const name of ['nosecret', 'numeric', 'off', 'unknown']) assert.equal(await transport.isEnabled(match(wns.channel(), name)), false, name);
    const channel = wns.channel();
    await transport.deliver(mailNew(), [match(channel, 'good'), match(wns.channel(), 'nosecret')]);
    assert.equal(wns.notifications.find((n) => n.channel === channel)?.answered, 200);
  });

  test('switch: off by default, on by property, per client and topic by suffix', async () => {
    const off = await boot(client(), {});
    const silent = wns.channel();
    assert.equal(await off.transport.isEnabled(match(silent)), false);
    await off.transport.deliver(mailNew(), [match(silent)]);
    assert.equal(wns.attempts(silent), 0);

    const { transport } = await boot(client() + client('tablet'), {
      [`${P}enabled`]: 'false',
      [`${P}enabled.windows`]: 'true',
      [`${P}enabled.windows.ox:calendar:updates`]: 'false',
    });
    assert.equal(await transport.isEnabled(match(wns.channel(), 'windows', 'ox:mail:new')), true);
    assert.equal(await transport.isEnabled(match(wns.channel(), 'windows', 'ox:calendar:updates')), false);
    assert.equal(await transport.isEnabled(match(wns.channel(), 'tablet', 'ox:mail:new')), false);
  });
});
