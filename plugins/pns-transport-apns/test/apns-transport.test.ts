import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { pushTransportRef, subscriptionStoreRef, type PushMatch, type PushNotification } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import apnsBundle from '../src/index.js';
import type { ApnsTransport } from '../src/apns-transport.js';
import { startFakeApns, type FakeApns } from './fake-apns.js';
import { MemorySubscriptionStore } from '@keel/plugin-sdk/testing';
import { createTestPki, opensslMissing, type TestPki } from './pki.js';

const skip = opensslMissing();
const P = 'com.openexchange.pns.transport.apn.ios.';
const KEY_ID = 'ABC123DEFG';
const TEAM_ID = 'DEF123GHIJ';

let pki: TestPki;
let production: FakeApns;
let sandbox: FakeApns;
const kernels: TestKernel[] = [];

before(async () => {
  if (skip) return;
  pki = createTestPki();
  const jwt = { publicKey: pki.p8PublicKey, keyId: KEY_ID, teamId: TEAM_ID };
  production = await startFakeApns({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, jwt });
  sandbox = await startFakeApns({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, jwt });
});

after(async () => {
  for (const keel of kernels) await keel.stop();
  await production?.close();
  await sandbox?.close();
  pki?.remove();
});

/** A device token: 64 hex characters derived from a label, so each test has its own devices. */
function device(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

const q = (value: string): string => JSON.stringify(value);

function certificateClient(name = 'mailapp', extra = ''): string {
  return `${name}:\n  enabled: true\n  keystore: ${q(pki.clientP12File)}\n  password: ${q(pki.clientP12Password)}\n  production: true\n  topic: com.example.mail\n${extra}`;
}

function jwtClient(name = 'jwtapp'): string {
  return `${name}:\n  authtype: jwt\n  privatekey: ${q(pki.p8File)}\n  keyid: ${KEY_ID}\n  teamid: ${TEAM_ID}\n  topic: com.example.mail.jwt\n  production: false\n`;
}

async function boot(yaml: string, properties: Record<string, string> = { [`${P}enabled`]: 'true' }): Promise<{ keel: TestKernel; transport: ApnsTransport; store: MemorySubscriptionStore }> {
  const store = new MemorySubscriptionStore();
  const keel = await startTestKernel({
    bundles: { 'pns-transport-apns': apnsBundle },
    services: [[subscriptionStoreRef, store]],
    properties: {
      [`${P}url.production`]: production.url,
      [`${P}url.sandbox`]: sandbox.url,
      [`${P}trustedCaFile`]: pki.caFile,
      [`${P}maxRetries`]: '2',
      [`${P}retryBaseMillis`]: '1',
      [`${P}retryMaxMillis`]: '5',
      ...properties,
    },
    files: { 'pns-apns-options.yml': yaml },
    http: false,
  });
  kernels.push(keel);
  assert.equal(keel.bundle('pns-transport-apns')?.state, 'ACTIVE');
  const transport = keel.getAll(pushTransportRef).find((t) => t.id === 'apn') as ApnsTransport | undefined;
  assert.ok(transport, 'the bundle registers transport apn');
  return { keel, transport, store };
}

function mailNew(overrides: Record<string, unknown> = {}): PushNotification {
  return {
    contextId: 1,
    userId: 3,
    topic: 'ox:mail:new',
    messageData: { folder: 'default0/INBOX', id: '113', email: 'jane.doe@foobar.com', displayname: 'Jane Doe', subject: "Let's meet", unread: 83, teaser: 'Hello', ...overrides },
  };
}

function match(token: string, client = 'mailapp', topic = 'ox:mail:new', userId = 3): PushMatch {
  return { contextId: 1, userId, token, client, transport: 'apn', topic };
}

describe('APNs transport', { skip }, () => {
  test('certificate auth: ox:mail:new becomes an alert, every device over one HTTP/2 connection', async () => {
    const { transport } = await boot(certificateClient());
    const sessionsBefore = production.sessionsOpened;
    const tokens = Array.from({ length: 12 }, (_, i) => device(`cert-${i}`));
    await transport.deliver(mailNew(), tokens.map((t) => match(t)));
    await transport.deliver(mailNew({ unread: 84 }), [match(tokens[0]!)]);

    const seen = production.pushes.filter((p) => tokens.includes(p.token));
    assert.equal(seen.length, 13);
    assert.equal(production.sessionsOpened - sessionsBefore, 1, 'one connection for all pushes of the client');
    assert.equal(new Set(seen.map((p) => p.session)).size, 1);
    const first = seen[0]!;
    assert.equal(first.headers[':method'], 'POST');
    assert.equal(first.headers[':path'], `/3/device/${first.token}`);
    assert.equal(first.headers['apns-topic'], 'com.example.mail');
    assert.equal(first.headers['apns-push-type'], 'alert');
    assert.equal(first.headers['apns-priority'], '10');
    assert.match(String(first.headers['apns-expiration']), /^\d{10}$/, 'epoch seconds');
    assert.equal(first.headers['content-type'], 'application/json');
    assert.equal(first.headers['authorization'], undefined, 'no provider token with certificate auth');
    assert.equal(first.clientCn, 'keel-apns-client', 'the keystore certificate was presented and verified');
    assert.deepEqual(first.payload, {
      aps: { alert: { title: 'Jane Doe', body: "Let's meet" }, badge: 83, sound: 'default' },
      topic: 'ox:mail:new',
      folder: 'default0/INBOX',
      id: '113',
    });
    assert.equal((seen.at(-1)!.payload['aps'] as { badge: number }).badge, 84);
    assert.equal(transport.stats().sent, 13);
  });

  test('the sender address is the title when there is no display name', async () => {
    const { transport } = await boot(certificateClient());
    const token = device('no-display-name');
    await transport.deliver(mailNew({ displayname: '' }), [match(token)]);
    const push = production.pushes.find((p) => p.token === token)!;
    assert.deepEqual((push.payload['aps'] as { alert: unknown }).alert, { title: 'jane.doe@foobar.com', body: "Let's meet" });
  });

  test('token auth: an ES256 provider token with kid and team, iat in seconds, signed once and reused, sent to the sandbox', async () => {
    const { transport } = await boot(jwtClient());
    const tokens = [device('jwt-1'), device('jwt-2'), device('jwt-3')];
    await transport.deliver(mailNew(), tokens.map((t) => match(t, 'jwtapp')));
    await transport.deliver(mailNew(), [match(tokens[0]!, 'jwtapp')]);
    const seen = sandbox.pushes.filter((p) => tokens.includes(p.token));
    assert.equal(seen.length, 4, 'production: false goes to the sandbox endpoint');
    assert.equal(production.pushes.filter((p) => tokens.includes(p.token)).length, 0);
    for (const push of seen) {
      assert.ok(push.jwt, 'authorization: bearer <verified JWT>');
      assert.equal(push.headers['apns-topic'], 'com.example.mail.jwt');
      assert.equal(push.jwtClaims!.iss, TEAM_ID);
      assert.ok(Math.abs(push.jwtClaims!.iat - Date.now() / 1000) < 600, 'iat is epoch seconds');
    }
    assert.equal(new Set(seen.map((p) => p.jwt)).size, 1, 'one token for every push');
  });

  test('an expired provider token is replaced by a newly signed one and the push retried', async () => {
    const { transport } = await boot(jwtClient());
    const token = device('jwt-expired');
    sandbox.script(token, { status: 403, reason: 'ExpiredProviderToken' });
    const before = sandbox.pushes.filter((p) => p.jwt).length;
    await transport.deliver(mailNew(), [match(token, 'jwtapp')]);
    const seen = sandbox.pushes.filter((p) => p.token === token);
    assert.deepEqual(seen.map((p) => p.answered), [403, 200]);
    assert.ok(before >= 0);
    assert.equal(transport.stats().sent, 1);
  });

  test('410 Unregistered and 400 BadDeviceToken remove the subscription; DeviceTokenNotForTopic does not', async () => {
    const { transport, store } = await boot(certificateClient());
    const gone = device('gone');
    const bad = device('bad');
    const wrongTopic = device('wrong-topic');
    for (const token of [gone, bad, wrongTopic]) {
      await store.subscribe({ contextId: 1, userId: 3, token, client: 'mailapp', transport: 'apn', topics: ['ox:mail:new'] });
    }
    production.script(gone, { status: 410, reason: 'Unregistered' });
    production.script(bad, { status: 400, reason: 'BadDeviceToken' });
    production.script(wrongTopic, { status: 400, reason: 'DeviceTokenNotForTopic' });
    const outcome = await transport.deliver(mailNew(), [match(gone), match(bad), match(wrongTopic)]);

    assert.deepEqual(outcome, { failed: 3 }, 'dead tokens are not delivered: they fail like the rejection');
    assert.deepEqual(store.removedTokens.map((r) => r.token).sort(), [bad, gone].sort());
    assert.ok(store.removedTokens.every((r) => r.transport === 'apn'));
    assert.deepEqual(store.subscriptions.map((s) => s.token), [wrongTopic]);
    assert.equal(production.attempts(wrongTopic), 1, 'a rejection is not retried');
    assert.deepEqual(transport.stats(), { sent: 0, removed: 2, retried: 0, failed: 1 });
  });

  test('429 and 5xx are retried with backoff, at most maxRetries times', async () => {
    const { transport, store } = await boot(certificateClient());
    const busy = device('busy');
    const flaky = device('flaky');
    const down = device('down');
    production.script(busy, { status: 429, reason: 'TooManyRequests' });
    production.script(flaky, { status: 500, reason: 'InternalServerError' }, { status: 503, reason: 'ServiceUnavailable' });
    production.script(down, ...Array.from({ length: 5 }, () => ({ status: 503, reason: 'ServiceUnavailable' })));
    const outcome = await transport.deliver(mailNew(), [match(busy), match(flaky), match(down)]);

    assert.deepEqual(outcome, { failed: 1 }, 'this call only: two delivered after retries, one given up');
    assert.equal(production.attempts(busy), 2);
    assert.equal(production.attempts(flaky), 3);
    assert.equal(production.attempts(down), 3, 'first attempt + maxRetries (2)');
    assert.deepEqual(transport.stats(), { sent: 2, removed: 0, retried: 5, failed: 1 });
    assert.deepEqual(store.removedTokens, [], 'server trouble never removes a device');
  });

  test('GOAWAY: a new connection is opened and refused streams are retried on it', async () => {
    const { transport } = await boot(certificateClient());
    const warm = device('warm');
    await transport.deliver(mailNew(), [match(warm)]);
    const sessionsBefore = production.sessionsOpened;
    production.goawayAll();
    const first = device('after-goaway-0');
    production.script(first, 'goaway');
    const tokens = [first, ...Array.from({ length: 20 }, (_, i) => device(`after-goaway-${i + 1}`))];
    await transport.deliver(mailNew(), tokens.map((t) => match(t)));

    for (const token of tokens) {
      assert.ok(production.pushes.some((p) => p.token === token && p.answered === 200), `delivered to ${token.slice(0, 8)}`);
    }
    assert.ok(production.sessionsOpened - sessionsBefore >= 1, 'reconnected after GOAWAY');
    assert.equal(transport.stats().failed, 0);
  });

  test('an unreachable service: every push is retried a bounded number of times, then given up', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { transport, store } = await boot(certificateClient(), { [`${P}enabled`]: 'true', [`${P}url.production`]: `https://127.0.0.1:${port}` });
    await transport.deliver(mailNew(), [device('down-1'), device('down-2'), device('down-3')].map((t) => match(t)));
    assert.deepEqual(transport.stats(), { sent: 0, removed: 0, retried: 6, failed: 3 });
    assert.deepEqual(store.removedTokens, []);
  });

  test('ox:calendar:updates is a background push: content-available, priority 5, collapsed', async () => {
    const { transport } = await boot(certificateClient());
    const token = device('calendar');
    await transport.deliver(
      { contextId: 1, userId: 3, topic: 'ox:calendar:updates', messageData: { folders: ['cal://0/30'], needsAction: ['77'] } },
      [match(token, 'mailapp', 'ox:calendar:updates')],
    );
    const push = production.pushes.find((p) => p.token === token)!;
    assert.equal(push.headers['apns-push-type'], 'background');
    assert.equal(push.headers['apns-priority'], '5');
    assert.equal(push.headers['apns-collapse-id'], 'ox:calendar:updates');
    assert.deepEqual(push.payload, { aps: { 'content-available': 1 }, topic: 'ox:calendar:updates', folders: ['cal://0/30'], needsAction: ['77'] });
  });

  test('a long subject is shortened so the payload stays within 4 KB', async () => {
    const { transport } = await boot(certificateClient());
    const token = device('long-subject');
    await transport.deliver(mailNew({ subject: 'ü'.repeat(5000) }), [match(token)]);
    const push = production.pushes.find((p) => p.token === token);
    assert.ok(push, 'accepted (413 PayloadTooLarge otherwise)');
    assert.ok(((push.payload['aps'] as { alert: { body: string } }).alert.body).endsWith('…'));
    assert.ok(Buffer.byteLength(JSON.stringify(push.payload)) <= 4096);
  });

  test('a missing keystore, a wrong password or an unusable key disables only that client', async () => {
    const yaml = [
      certificateClient('good'),
      `missing:\n  keystore: ${q(`${pki.dir}/nope.p12`)}\n  password: x\n  topic: t\n`,
      `wrongpass:\n  keystore: ${q(pki.clientP12File)}\n  password: not-the-password\n  topic: t\n`,
      `nokeystore:\n  password: x\n`,
      `rsakey:\n  authtype: jwt\n  privatekey: ${q(pki.rsaKeyFile)}\n  keyid: K\n  teamid: T\n  topic: t\n`,
      `noteam:\n  authtype: jwt\n  privatekey: ${q(pki.p8File)}\n  keyid: K\n  topic: t\n`,
      `switchedoff:\n  enabled: false\n  keystore: ${q(pki.clientP12File)}\n  password: ${q(pki.clientP12Password)}\n`,
      jwtClient('tokens'),
    ].join('');
    const { transport } = await boot(yaml);
    assert.deepEqual(transport.clients().sort(), ['good', 'tokens']);
    for (const client of ['missing', 'wrongpass', 'nokeystore', 'rsakey', 'noteam', 'switchedoff', 'unknown']) {
      assert.equal(await transport.isEnabled(match(device(client), client)), false, client);
    }
    const good = device('good-client');
    const tokens = device('tokens-client');
    await transport.deliver(mailNew(), [match(good, 'good'), match(device('broken'), 'wrongpass'), match(tokens, 'tokens')]);
    assert.ok(production.pushes.some((p) => p.token === good));
    assert.ok(sandbox.pushes.some((p) => p.token === tokens));
    assert.equal(production.attempts(device('broken')) + sandbox.attempts(device('broken')), 0);
  });

  test('subscriptions are validated: device tokens are hexadecimal', async () => {
    const { transport } = await boot(certificateClient());
    const subscription = { contextId: 1, userId: 3, token: device('ok'), client: 'mailapp', transport: 'apn', topics: ['ox:mail:new'] };
    assert.deepEqual(await transport.validate!(subscription), subscription);
    await assert.rejects(transport.validate!({ ...subscription, token: 'not-a-device-token' }), { code: 'PNS-APNS-0007', status: 400 });
  });
});

describe('APNs cascade switches', { skip }, () => {
  test('off by default: nothing is delivered', async () => {
    const { transport } = await boot(certificateClient(), {});
    const token = device('default-off');
    assert.equal(await transport.isEnabled(match(token)), false);
    await transport.deliver(mailNew(), [match(token)]);
    assert.equal(production.attempts(token), 0);
  });

  test('on through the property, off again for one client and topic by suffix', async () => {
    const { transport } = await boot(certificateClient() + certificateClient('other'), {
      [`${P}enabled`]: 'true',
      [`${P}enabled.mailapp.ox:calendar:updates`]: 'false',
      [`${P}enabled.other`]: 'false',
      [`${P}enabled.other.ox:mail:new`]: 'true',
    });
    assert.equal(await transport.isEnabled(match(device('a'), 'mailapp', 'ox:mail:new')), true);
    assert.equal(await transport.isEnabled(match(device('a'), 'mailapp', 'ox:calendar:updates')), false);
    assert.equal(await transport.isEnabled(match(device('a'), 'other', 'ox:calendar:updates')), false);
    assert.equal(await transport.isEnabled(match(device('a'), 'other', 'ox:mail:new')), true);

    const calendar = device('calendar-off');
    await transport.deliver({ contextId: 1, userId: 3, topic: 'ox:calendar:updates', messageData: {} }, [match(calendar, 'mailapp', 'ox:calendar:updates')]);
    assert.equal(production.attempts(calendar), 0, 'deliver honours the switch per match');
  });

  test('only the client is switched on', async () => {
    const { transport } = await boot(certificateClient(), { [`${P}enabled.mailapp`]: 'true' });
    assert.equal(await transport.isEnabled(match(device('b'), 'mailapp', 'ox:mail:new')), true);
    assert.equal(await transport.isEnabled(match(device('b'), 'mailapp', 'ox:calendar:updates')), true);
  });
});
