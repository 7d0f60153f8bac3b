import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pushTransportRef, subscriptionStoreRef, type PushMatch, type PushNotification } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import gcmBundle from '../src/index.js';
import type { GcmTransport } from '../src/gcm-transport.js';
import { startFakeFcm, type FakeFcm } from './fake-fcm.js';
import { MemorySubscriptionStore } from '@keel/plugin-sdk/testing';
import { createTestPki, opensslMissing, type TestPki } from './pki.js';

const skip = opensslMissing();
const P = 'com.openexchange.pns.transport.gcm.';
const PROJECT = 'keel-test-project';
const EMAIL = 'pns@keel-test-project.iam.gserviceaccount.com';
const SERVER_KEY = 'AIzaSyKeelLegacyServerKey0123456789abcdef';

let pki: TestPki;
let fcm: FakeFcm;
let serviceAccountFile: string;
const kernels: TestKernel[] = [];

before(async () => {
  if (skip) return;
  pki = createTestPki();
  fcm = await startFakeFcm({ key: pki.serverKey, cert: pki.serverCert, account: { clientEmail: EMAIL, publicKey: pki.rsaPublicKey, projectId: PROJECT }, serverKey: SERVER_KEY });
  serviceAccountFile = join(pki.dir, 'service-account.json');
  writeFileSync(serviceAccountFile, JSON.stringify({
    type: 'service_account', project_id: PROJECT, private_key_id: 'kid-0001', private_key: pki.rsaKey, client_email: EMAIL,
    client_id: '1', auth_uri: 'https://accounts.google.com/o/oauth2/auth', token_uri: fcm.tokenUrl,
  }));
});

after(async () => {
  for (const keel of kernels) await keel.stop();
  await fcm?.close();
  pki?.remove();
});

const q = (value: string): string => JSON.stringify(value);
let devices = 0;
/** A fresh FCM-looking registration token per call. */
function device(): string {
  return `fcm-token-${++devices}:APA91b${'x'.repeat(20)}`;
}

const v1Client = (name = 'android') => `${name}:\n  enabled: true\n  serviceAccount: ${q(serviceAccountFile)}\n`;
const legacyClient = (name = 'legacy', key = SERVER_KEY) => `${name}:\n  enabled: true\n  key: ${q(key)}\n`;

async function boot(yaml: string, properties: Record<string, string> = { [`${P}enabled`]: 'true' }): Promise<{ transport: GcmTransport; store: MemorySubscriptionStore }> {
  const store = new MemorySubscriptionStore();
  const keel = await startTestKernel({
    bundles: { 'pns-transport-gcm': gcmBundle },
    services: [[subscriptionStoreRef, store]],
    properties: {
      [`${P}url`]: fcm.url,
      [`${P}trustedCaFile`]: pki.caFile,
      [`${P}maxRetries`]: '2',
      [`${P}retryBaseMillis`]: '1',
      [`${P}retryMaxMillis`]: '5',
      ...properties,
    },
    files: { 'pns-gcm-options.yml': yaml },
    http: false,
  });
  kernels.push(keel);
  assert.equal(keel.bundle('pns-transport-gcm')?.state, 'ACTIVE');
  const transport = keel.getAll(pushTransportRef).find((t) => t.id === 'gcm') as GcmTransport | undefined;
  assert.ok(transport);
  return { transport, store };
}

const mailNew = (): PushNotification => ({
  contextId: 1, userId: 3, topic: 'ox:mail:new',
  messageData: { folder: 'default0/INBOX', id: '113', email: 'jane.doe@foobar.com', displayname: 'Jane Doe', subject: "Let's meet", unread: 83, teaser: 'Hello' },
});

const match = (token: string, client = 'android', topic = 'ox:mail:new'): PushMatch => ({ contextId: 1, userId: 3, token, client, transport: 'gcm', topic });

describe('FCM HTTP v1 (service account)', { skip }, () => {
  test('an RS256 assertion buys one access token; each device gets a data message POSTed to messages:send', async () => {
    const { transport } = await boot(v1Client());
    assert.deepEqual(transport.clients(), { android: 'v1' });
    const tokensBefore = fcm.tokenRequests.length;
    const targets = [device(), device(), device()];
    await transport.deliver(mailNew(), targets.map((t) => match(t)));
    await transport.deliver(mailNew(), [match(targets[0]!)]);

    assert.equal(fcm.tokenRequests.length - tokensBefore, 1, 'the access token is cached');
    const grant = fcm.tokenRequests.at(-1)!;
    assert.equal(grant.kid, 'kid-0001');
    assert.equal(grant.claims['aud'], fcm.tokenUrl, "the service account's token_uri");
    const seen = fcm.v1.filter((p) => targets.includes(p.token));
    assert.equal(seen.length, 4);
    const first = seen[0]!;
    assert.match(String(first.headers['authorization']), /^Bearer ya29\./);
    assert.match(String(first.headers['content-type']), /^application\/json/);
    assert.deepEqual(first.message.data, {
      topic: 'ox:mail:new', folder: 'default0/INBOX', id: '113', email: 'jane.doe@foobar.com', displayname: 'Jane Doe', subject: "Let's meet", unread: '83', teaser: 'Hello',
    });
    assert.deepEqual(first.message.android, { priority: 'HIGH', ttl: '86400s' });
    assert.equal(transport.stats().sent, 4);
  });

  test('inline projectId, clientEmail and privateKey work too; oauth.tokenUrl overrides the token endpoint', async () => {
    const yaml = `inline:\n  projectId: ${PROJECT}\n  clientEmail: ${EMAIL}\n  privateKey: ${q(pki.rsaKey)}\n`;
    const { transport } = await boot(yaml, { [`${P}enabled`]: 'true', [`${P}oauth.tokenUrl`]: fcm.tokenUrl });
    const token = device();
    await transport.deliver(mailNew(), [match(token, 'inline')]);
    assert.equal(fcm.v1.find((p) => p.token === token)?.answered, 200);
  });

  test('UNREGISTERED and INVALID_ARGUMENT about message.token remove the subscription; other errors do not', async () => {
    const { transport, store } = await boot(v1Client());
    const [gone, invalid, payload, mismatch] = [device(), device(), device(), device()];
    for (const token of [gone, invalid, payload, mismatch]) await store.subscribe({ contextId: 1, userId: 3, token, client: 'android', transport: 'gcm', topics: ['*'] });
    fcm.scriptV1(gone, 'UNREGISTERED');
    fcm.scriptV1(invalid, 'INVALID_TOKEN');
    fcm.scriptV1(payload, 'INVALID_PAYLOAD');
    fcm.scriptV1(mismatch, 'SENDER_ID_MISMATCH');
    const outcome = await transport.deliver(mailNew(), [gone, invalid, payload, mismatch].map((t) => match(t)));
    assert.deepEqual(outcome, { failed: 4 }, 'dead tokens are not delivered: they fail like the rejections');
    assert.deepEqual(store.removedTokens.map((r) => r.token).sort(), [gone, invalid].sort());
    assert.ok(store.removedTokens.every((r) => r.transport === 'gcm'));
    assert.equal(fcm.attemptsV1(payload), 1, 'a rejected message is not retried');
    assert.equal(fcm.attemptsV1(mismatch), 1);
    assert.deepEqual(transport.stats(), { sent: 0, removed: 2, retried: 0, failed: 2 });
  });

  test('429 (with Retry-After) and 5xx are retried with backoff, at most maxRetries times', async () => {
    const { transport, store } = await boot(v1Client());
    const [quota, flaky, down] = [device(), device(), device()];
    fcm.scriptV1(quota, { status: 429, retryAfter: 0 });
    fcm.scriptV1(flaky, { status: 500 }, { status: 503 });
    fcm.scriptV1(down, { status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    await transport.deliver(mailNew(), [quota, flaky, down].map((t) => match(t)));
    assert.equal(fcm.attemptsV1(quota), 2);
    assert.equal(fcm.attemptsV1(flaky), 3);
    assert.equal(fcm.attemptsV1(down), 3, 'first attempt + maxRetries (2)');
    assert.deepEqual(transport.stats(), { sent: 2, removed: 0, retried: 5, failed: 1 });
    assert.deepEqual(store.removedTokens, []);
  });

  test('401 from FCM: a new access token is fetched and the push retried', async () => {
    const { transport } = await boot(v1Client());
    const warm = device();
    await transport.deliver(mailNew(), [match(warm)]);
    const tokensBefore = fcm.tokenRequests.length;
    fcm.revokeAccessTokens();
    const token = device();
    await transport.deliver(mailNew(), [match(token)]);
    assert.deepEqual(fcm.v1.filter((p) => p.token === token).map((p) => p.answered), [200]);
    assert.equal(fcm.attemptsV1(token), 2, 'refused once with the old token');
    assert.equal(fcm.tokenRequests.length - tokensBefore, 1);
  });

  test('a refused token grant fails the notification once for all its devices, without sending', async () => {
    const { transport } = await boot(v1Client());
    fcm.failTokenRequests(10);
    const targets = [device(), device()];
    await transport.deliver(mailNew(), targets.map((t) => match(t)));
    fcm.failTokenRequests(0);
    assert.equal(targets.reduce((sum, t) => sum + fcm.attemptsV1(t), 0), 0);
    assert.equal(transport.stats().failed, 2);
  });

  test('calendar updates are normal-priority data messages; objects travel as JSON text', async () => {
    const { transport } = await boot(v1Client());
    const token = device();
    await transport.deliver({ contextId: 1, userId: 3, topic: 'ox:calendar:updates', messageData: { folders: ['cal://0/30'], needsAction: [] } }, [match(token, 'android', 'ox:calendar:updates')]);
    const push = fcm.v1.find((p) => p.token === token)!;
    assert.deepEqual(push.message.data, { topic: 'ox:calendar:updates', folders: '["cal://0/30"]', needsAction: '[]' });
    assert.equal(push.message.android?.priority, 'NORMAL');
  });
});

describe('FCM legacy HTTP (server key)', { skip }, () => {
  test('one request per 1000 devices with Authorization: key=…; NotRegistered/InvalidRegistration removed, Unavailable retried alone', async () => {
    const { transport, store } = await boot(legacyClient());
    assert.deepEqual(transport.clients(), { legacy: 'legacy' });
    const [ok, gone, invalid, busy, mismatch] = [device(), device(), device(), device(), device()];
    fcm.scriptLegacyDevice(gone, 'NotRegistered');
    fcm.scriptLegacyDevice(invalid, 'InvalidRegistration');
    fcm.scriptLegacyDevice(busy, 'Unavailable');
    fcm.scriptLegacyDevice(mismatch, 'MismatchSenderId');
    const before = fcm.legacy.length;
    const outcome = await transport.deliver(mailNew(), [ok, gone, invalid, busy, mismatch].map((t) => match(t, 'legacy')));
    assert.deepEqual(outcome, { failed: 3 }, 'ok and busy (after its retry) delivered; the two dead and the mismatch failed');

    const requests = fcm.legacy.slice(before);
    assert.equal(requests.length, 2, 'the batch, then the one Unavailable device');
    assert.deepEqual(requests[0]!.body.registration_ids, [ok, gone, invalid, busy, mismatch]);
    assert.deepEqual(requests[1]!.body.registration_ids, [busy]);
    assert.equal(requests[0]!.headers['authorization'], `key=${SERVER_KEY}`);
    assert.equal(requests[0]!.body.priority, 'high');
    assert.equal(requests[0]!.body.time_to_live, 86400);
    assert.equal(requests[0]!.body.data['subject'], "Let's meet");
    assert.deepEqual(store.removedTokens.map((r) => r.token).sort(), [gone, invalid].sort());
    assert.deepEqual(transport.stats(), { sent: 2, removed: 0, retried: 1, failed: 1 });
  });

  test('a whole request answered 503 is retried; a refused server key fails without retries', async () => {
    const { transport } = await boot(legacyClient() + legacyClient('wrongkey', 'AIzaSyNotTheRightKey'));
    fcm.scriptLegacyRequest(503);
    const token = device();
    const before = fcm.legacy.length;
    await transport.deliver(mailNew(), [match(token, 'legacy')]);
    assert.deepEqual(fcm.legacy.slice(before).map((r) => r.answered), [503, 200]);

    const refusedBefore = fcm.refused.length;
    await transport.deliver(mailNew(), [match(device(), 'wrongkey')]);
    assert.equal(fcm.refused.length - refusedBefore, 1, 'asked once');
    assert.equal(transport.stats().failed, 1);
  });

  test('more than 1000 devices are split into batches of 1000', async () => {
    const { transport } = await boot(legacyClient());
    const targets = Array.from({ length: 1203 }, () => device());
    const before = fcm.legacy.length;
    await transport.deliver(mailNew(), targets.map((t) => match(t, 'legacy')));
    assert.deepEqual(fcm.legacy.slice(before).map((r) => r.body.registration_ids.length).sort(), [1000, 203]);
    assert.equal(transport.stats().sent, 1203);
  });
});

describe('FCM clients and switches', { skip }, () => {
  test('missing or broken credentials disable only that client', async () => {
    const brokenJson = join(pki.dir, 'broken.json');
    writeFileSync(brokenJson, '{ not json');
    const ecAccount = join(pki.dir, 'ec-account.json');
    writeFileSync(ecAccount, JSON.stringify({ project_id: PROJECT, client_email: EMAIL, private_key: pki.ecKey }));
    const yaml = [
      v1Client('good'),
      legacyClient('legacy'),
      `missingfile:\n  serviceAccount: ${q(join(pki.dir, 'nope.json'))}\n`,
      `brokenjson:\n  serviceAccount: ${q(brokenJson)}\n`,
      `eckey:\n  serviceAccount: ${q(ecAccount)}\n`,
      `noemail:\n  projectId: p\n  privateKey: ${q(pki.rsaKey)}\n`,
      'numerickey:\n  key: 1234567890123456789012345678901234567890\n',
      'nothing:\n  enabled: true\n',
      `off:\n  enabled: false\n  key: x\n`,
    ].join('');
    const { transport } = await boot(yaml);
    assert.deepEqual(transport.clients(), { good: 'v1', legacy: 'legacy' });
    for (const client of ['missingfile', 'brokenjson', 'eckey', 'noemail', 'numerickey', 'nothing', 'off', 'unknown']) {
      assert.equal(await transport.isEnabled(match(device(), client)), false, client);
    }
    const token = device();
    await transport.deliver(mailNew(), [match(token, 'good'), match(device(), 'eckey')]);
    assert.equal(fcm.v1.find((p) => p.token === token)?.answered, 200);
  });

  test('switch: off by default, on by property, per client and topic by suffix', async () => {
    const off = await boot(v1Client(), {});
    const silent = device();
    assert.equal(await off.transport.isEnabled(match(silent)), false);
    await off.transport.deliver(mailNew(), [match(silent)]);
    assert.equal(fcm.attemptsV1(silent), 0);

    const { transport } = await boot(v1Client() + legacyClient(), {
      [`${P}enabled`]: 'true',
      [`${P}enabled.android.ox:calendar:updates`]: 'false',
      [`${P}enabled.legacy`]: 'false',
    });
    assert.equal(await transport.isEnabled(match(device(), 'android', 'ox:mail:new')), true);
    assert.equal(await transport.isEnabled(match(device(), 'android', 'ox:calendar:updates')), false);
    assert.equal(await transport.isEnabled(match(device(), 'legacy', 'ox:mail:new')), false);
  });

  test('subscriptions are validated: registration tokens are printable and without spaces', async () => {
    const { transport } = await boot(v1Client());
    const subscription = { contextId: 1, userId: 3, token: device(), client: 'android', transport: 'gcm', topics: ['*'] };
    assert.deepEqual(await transport.validate!(subscription), subscription);
    await assert.rejects(transport.validate!({ ...subscription, token: 'has spaces in it' }), { code: 'PNS-GCM-0009', status: 400 });
  });
});
