// The 'appintegration' authenticator against a separate Application Integration server in every answer style.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  authenticationServiceRef, authenticatorRef, contextServiceRef, userServiceRef,
  type AuthenticationService, type Authenticator, type UserService,
} from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import authAppintegration from '../src/index.js';
import { downUrl, startFakeIntegrationServer, type FakeIntegrationServer } from './fake-integration-server.js';
import { basic, loadBundle, MASTER_PASSWORD, outcomeOf } from './support.js';

describe('auth-appintegration: authenticating through an Application Integration server', () => {
  let fake: FakeIntegrationServer;
  let keel: TestKernel;
  let service: AuthenticationService;
  let authenticator: Authenticator;
  let users: UserService;
  const login = (name: string, password: string) => service.authenticate({ login: name, password, ip: '192.0.2.1' });

  before(async () => {
    fake = await startFakeIntegrationServer();
    fake.passwords.set('john.doe', 'Passw0rd');
    fake.passwords.set('lisa', 'remote-lisa');
    keel = await startTestKernel({
      bundles: {
        'storage-sql': await loadBundle('storage-sql'),
        auth: await loadBundle('auth'),
        'auth-database': await loadBundle('auth-database'),
        admin: await loadBundle('admin'),
        'auth-appintegration': authAppintegration,
      },
      properties: {
        'keel.login.defaultContext': '10',
        'keel.auth.maxFailures': '1000',
        'keel.auth.maxFailuresPerAddress': '1000',
        'keel.auth.baseDelayMs': '1',
        'keel.auth.maxDelayMs': '2',
      },
      files: {
        mpasswd: `oxadminmaster:{PLAIN}${MASTER_PASSWORD}\n`,
        'auth-appintegration.yml': [
          `10: { url: "${fake.url}", login: keel, password: ais-secret, timeoutMs: 300 }`,
          `11: { url: "${await downUrl()}", login: keel, password: ais-secret, timeoutMs: 300 }`,
          '',
        ].join('\n'),
      },
      startTimeoutMs: 20_000,
    });
    assert.equal(keel.bundle('auth-appintegration')?.state, 'ACTIVE', keel.bundle('auth-appintegration')?.error?.message);
    service = keel.get(authenticationServiceRef)!;
    authenticator = keel.getAll(authenticatorRef).find((candidate) => candidate.name === 'appintegration')!;
    users = keel.get(userServiceRef)!;
    const contexts = keel.get(contextServiceRef)!;
    await contexts.create({ id: 10, name: 'example', loginMappings: ['example.com'] });
    await contexts.create({ id: 11, name: 'down', loginMappings: ['down.test'] });
    await contexts.create({ id: 12, name: 'unserved', loginMappings: ['unserved.test'] });
    await users.create(10, { login: 'john.doe', displayName: 'John', email: 'john.doe@example.com', source: 'appintegration' });
    await users.create(10, { login: 'lisa', password: 'local-lisa', displayName: 'Lisa', email: 'lisa@example.com' });
    await users.create(11, { login: 'dan', displayName: 'Dan', email: 'dan@down.test', source: 'appintegration' });
    await users.create(12, { login: 'uma', password: 'uma-pw', displayName: 'Uma', email: 'uma@unserved.test' });
  });

  after(async () => {
    await keel?.stop();
    await fake?.close();
  });

  beforeEach(() => {
    fake.requests.length = 0;
    fake.authAnswer = undefined;
  });

  it('ranks above the database authenticator', () => {
    const names = keel.getAll(authenticatorRef).map((candidate) => candidate.name);
    assert.ok(names.indexOf('appintegration') < names.indexOf('database'), names.join(', '));
  });

  it('asks cmd=auth as MailStore does and maps a yes to the local user', async () => {
    const result = await login('john.doe', 'Passw0rd');
    assert.equal(result.authenticator, 'appintegration');
    assert.equal(result.contextId, 10);
    assert.equal(result.userId, (await users.findByLogin(10, 'john.doe'))!.id);
    assert.equal(fake.requests.length, 1);
    const [seen] = fake.requests;
    assert.equal(seen!.method, 'POST');
    assert.equal(seen!.contentType, 'application/x-www-form-urlencoded');
    assert.equal(seen!.authorization, basic('keel', 'ais-secret'));
    assert.deepEqual(seen!.form, { cmd: 'auth', user: 'john.doe', pass: 'Passw0rd' });
  });

  it('resolves user@mapping to the mapped context and sends the server its userName', async () => {
    const result = await login('john.doe@example.com', 'Passw0rd');
    assert.equal(result.contextId, 10);
    assert.equal(fake.requests[0]!.form['user'], 'john.doe');
  });

  it('a no from the server is a definite failure for its users', async () => {
    assert.equal(await outcomeOf(login('john.doe', 'wrong')), 'LGI-0006');
    assert.deepEqual(await authenticator.authenticate({ login: 'john.doe', password: 'wrong', ip: '192.0.2.1' }), { outcome: 'failure', reason: 'the Application Integration server refused the password' });
  });

  it('reads the seed\'s unquoted answer with text/json, whitespace and CRLFs', async () => {
    fake.authAnswer = (form) => ({ contentType: 'text/json; charset=utf8', body: `{\r\n  succeeded: ${form['pass'] === 'Passw0rd'}\r\n}\r\n` });
    assert.equal((await login('john.doe', 'Passw0rd')).authenticator, 'appintegration');
    assert.equal(await outcomeOf(login('john.doe', 'nope')), 'LGI-0006');
  });

  it('reads strict JSON sent as text/html or text/plain', async () => {
    for (const contentType of ['text/html', 'text/plain; charset=iso-8859-1']) {
      fake.authAnswer = () => ({ contentType, body: '{"succeeded":true}' });
      assert.equal((await login('john.doe', 'Passw0rd')).authenticator, 'appintegration', contentType);
    }
  });

  for (const [name, answer, reason] of [
    ['garbage', { body: '<html><body>Fatal error</body></html>' }, /unusable answer/],
    ['an ambiguous value', { body: '{"succeeded": "maybe"}' }, /unusable answer/],
    ['an HTTP 500', { status: 500, body: '{"succeeded": true}' }, /HTTP 500/],
    ['a slow answer', { delayMs: 1500, body: '{"succeeded": true}' }, /no answer within 300 ms/],
    ['a cut connection', { body: '{"succeeded": true}', cutAfterBytes: 5 }, /./],
  ] as const) {
    it(`${name} is not-mine, never a success`, async () => {
      fake.authAnswer = () => answer;
      const result = await authenticator.authenticate({ login: 'john.doe', password: 'Passw0rd', ip: '192.0.2.1' });
      assert.equal(result.outcome, 'not-mine');
      assert.match((result as { reason: string }).reason, reason);
      assert.doesNotMatch((result as { reason: string }).reason, /Passw0rd/);
      // Through the chain: nobody else knows john.doe's password, so the login fails.
      assert.equal(await outcomeOf(login('john.doe', 'Passw0rd')), 'LGI-0006');
    });
  }

  it('wrong credentials for the server itself are not-mine with a hint', async () => {
    fake.credentials = { login: 'keel', password: 'rotated' };
    try {
      const result = await authenticator.authenticate({ login: 'john.doe', password: 'Passw0rd', ip: '192.0.2.1' });
      assert.equal(result.outcome, 'not-mine');
      assert.match((result as { reason: string }).reason, /HTTP 401 \(check login and password/);
    } finally {
      fake.credentials = { login: 'keel', password: 'ais-secret' };
    }
  });

  it('a server that is down is not-mine', async () => {
    const result = await authenticator.authenticate({ login: 'dan@down.test', password: 'x', ip: '192.0.2.1' });
    assert.equal(result.outcome, 'not-mine');
    assert.match((result as { reason: string }).reason, /ECONNREFUSED/);
  });

  it('unknown logins and contexts without a server are not sent anywhere', async () => {
    assert.equal((await authenticator.authenticate({ login: 'stranger', password: 'x', ip: '192.0.2.1' })).outcome, 'not-mine');
    assert.equal((await authenticator.authenticate({ login: 'uma@unserved.test', password: 'uma-pw', ip: '192.0.2.1' })).outcome, 'not-mine');
    assert.equal(fake.requests.length, 0);
    // uma still logs in through the database.
    assert.equal((await login('uma@unserved.test', 'uma-pw')).authenticator, 'database');
  });

  it('a local user the server refuses is left to the database', async () => {
    assert.equal((await login('lisa', 'local-lisa')).authenticator, 'database');
    assert.equal(fake.requests[0]!.form['user'], 'lisa');
    // …and the server may vouch for her too.
    assert.equal((await login('lisa', 'remote-lisa')).authenticator, 'appintegration');
  });

  it('honours a context restriction (an integration account asking)', async () => {
    const restricted = await authenticator.authenticate({ login: 'john.doe', password: 'Passw0rd', ip: '192.0.2.1', contextId: 12 });
    assert.equal(restricted.outcome, 'not-mine');
    const inside = await authenticator.authenticate({ login: 'john.doe@example.com', password: 'Passw0rd', ip: '192.0.2.1', contextId: 10 });
    assert.equal(inside.outcome, 'success');
  });

  it('a disabled user the server vouches for gets "account disabled"', async () => {
    const john = (await users.findByLogin(10, 'john.doe'))!;
    await users.update(10, john.id, { enabled: false });
    try {
      assert.equal(await outcomeOf(login('john.doe', 'Passw0rd')), 'LGI-0010');
    } finally {
      await users.update(10, john.id, { enabled: true });
    }
  });
});
