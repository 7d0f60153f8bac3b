import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTarget, isPublicAddress } from '../src/address-guard.js';
import { isRetryable, retryDelay } from '../src/retry-policy.js';
import { matchesConfiguredUri } from '../src/subscription-validation.js';
import { parseWebhooks } from '../src/webhook-config.js';
import { oxSignature } from '../src/webhook-request.js';

const logged: string[] = [];
const logger = {
  trace() {}, debug() {}, info() {}, warn() {}, fatal() {},
  error(obj: object | string, msg?: string) {
    logged.push(typeof obj === 'string' ? obj : msg ?? '');
  },
  child() {
    return logger;
  },
};

describe('address guard', () => {
  it('tells public addresses from loopback, private, link-local, unique-local and reserved ones', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8']) assert.ok(isPublicAddress(address), address);
    for (const address of [
      '127.0.0.1', '127.255.0.9', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
      '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd12:3456::1', 'fc00::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1',
      '::ffff:10.0.0.1', '64:ff9b::a00:1', 'not-an-ip',
    ]) assert.equal(isPublicAddress(address), false, address);
    assert.equal(isPublicAddress('172.32.0.1'), true, 'just outside 172.16/12');
  });

  it('checks scheme, httpsOnly and IP literals of every target (redirects included)', () => {
    const strict = { httpsOnly: true, allowLocal: false };
    assert.throws(() => checkTarget(new URL('http://example.com/'), strict), /only https/);
    assert.throws(() => checkTarget(new URL('https://127.0.0.1/'), strict), /loopback/);
    assert.throws(() => checkTarget(new URL('https://[::1]:8443/'), strict), /loopback/);
    assert.throws(() => checkTarget(new URL('ftp://example.com/'), { httpsOnly: false, allowLocal: true }), /scheme/);
    checkTarget(new URL('https://8.8.8.8/'), strict);
    checkTarget(new URL('https://hooks.example.com/'), strict);
    checkTarget(new URL('http://127.0.0.1/'), { httpsOnly: false, allowLocal: true });
  });
});

describe('retry policy', () => {
  it('backs off exponentially with jitter inside the upper half, capped', () => {
    const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(retryDelay(policy, 1, () => 0), 50);
    assert.equal(retryDelay(policy, 1, () => 1), 100);
    assert.equal(retryDelay(policy, 3, () => 0.5), 300);
    assert.equal(retryDelay(policy, 10, () => 1), 1000);
    assert.equal(retryDelay(policy, 60, () => 0), 500);
  });

  it('retries timeouts, network errors and 5xx only', () => {
    assert.ok(isRetryable({ status: 503 }));
    assert.ok(isRetryable({ status: 500 }));
    assert.ok(isRetryable({ timeout: true }));
    assert.ok(isRetryable({ network: true }));
    for (const status of [200, 301, 400, 404, 410, 429]) assert.equal(isRetryable({ status }), false, String(status));
  });
});

describe('URI validation modes', () => {
  const configured = new URL('https://hooks.example.com/ox');
  it('prefix compares parsed URIs on path boundaries', () => {
    assert.ok(matchesConfiguredUri('prefix', new URL('https://hooks.example.com/ox'), configured));
    assert.ok(matchesConfiguredUri('prefix', new URL('https://hooks.example.com/ox/user/1'), configured));
    assert.ok(matchesConfiguredUri('prefix', new URL('https://hooks.example.com/ox?device=1'), configured));
    assert.equal(matchesConfiguredUri('prefix', new URL('https://hooks.example.com/oxygen'), configured), false);
    assert.equal(matchesConfiguredUri('prefix', new URL('https://hooks.example.com.evil.org/ox'), configured), false);
    assert.equal(matchesConfiguredUri('prefix', new URL('http://hooks.example.com/ox'), configured), false);
    assert.equal(matchesConfiguredUri('prefix', new URL('https://hooks.example.com:8443/ox'), configured), false);
    assert.equal(matchesConfiguredUri('prefix', new URL('https://user@hooks.example.com/ox'), configured), false);
  });
  it('exact and none', () => {
    assert.ok(matchesConfiguredUri('exact', new URL('https://HOOKS.example.com/ox'), configured), 'host case is normalised');
    assert.equal(matchesConfiguredUri('exact', new URL('https://hooks.example.com/ox/1'), configured), false);
    assert.ok(matchesConfiguredUri('none', new URL('https://anywhere.example.org/'), configured));
    assert.ok(matchesConfiguredUri('none', new URL('https://anywhere.example.org/'), undefined));
  });
});

describe('webhooks.yml', () => {
  it('reads every field and leaves broken entries out, saying why', () => {
    logged.length = 0;
    const webhooks = parseWebhooks({
      good: {
        uri: 'https://hooks.example.com/ox', uriValidationMode: 'exact', webhookSecret: 'token', signatureSecret: 's', version: 2,
        signatureHeaderName: 'X-Sig', maxTimeToLiveMillis: 1000, maxNumberOfSubscriptionsPerUser: 0, allowSharedUri: false,
        standardWebhooks: true, standardWebhooksSecret: `whsec_${Buffer.from('key').toString('base64')}`,
      },
      'bad--id': { uri: 'https://x.example.com' },
      nouri: { uriValidationMode: 'prefix' },
      typo: { uri: 'https://x.example.com', signatureSecrett: 'x' },
      mode: { uri: 'https://x.example.com', uriValidationMode: 'fuzzy' },
      relative: { uri: '/hooks' },
      plain: { uri: 'https://x.example.com' },
    }, logger);
    assert.deepEqual([...webhooks.keys()], ['good', 'plain']);
    const good = webhooks.get('good')!;
    assert.equal(good.uri?.href, 'https://hooks.example.com/ox');
    assert.equal(good.version, 2);
    assert.equal(good.maxNumberOfSubscriptionsPerUser, undefined, '0 means no limit');
    assert.equal(good.maxTimeToLiveMillis, 1000);
    assert.equal(good.allowSharedUri, false);
    assert.deepEqual(good.standardWebhooksSecret, Buffer.from('key'));
    const plain = webhooks.get('plain')!;
    assert.deepEqual([plain.uriValidationMode, plain.version, plain.signatureHeaderName, plain.allowSharedUri, plain.standardWebhooks], ['prefix', 1, 'X-OX-Signature', true, false]);
    assert.equal(logged.length, 5);
    assert.ok(logged.some((line) => line.includes("'bad--id'") && line.includes('--')));
    assert.ok(logged.some((line) => line.includes('signatureSecrett')));
    assert.ok(logged.every((line) => !line.includes('token')), 'secrets never logged');
  });

  it('signs version 2 with v2 prefixes', () => {
    assert.match(oxSignature('s', 2, 1694677849605, Buffer.from('{}')), /^t=1694677849605, v2=[0-9a-f]{64}$/);
  });
});

describe('delivery benchmark', () => {
  it('measures signed deliveries next to plain POSTs through the same client', async () => {
    const { measureWebhookDeliveries } = await import('../src/index.js');
    const result = await measureWebhookDeliveries({ count: 200, concurrency: 8 });
    assert.equal(result.count, 200);
    assert.ok(result.signedPerSecond > 0 && result.plainPerSecond > 0 && result.ratio > 0);
  });
});
