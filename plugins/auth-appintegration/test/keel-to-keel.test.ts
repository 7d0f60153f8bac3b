// auth-appintegration of one Keel against the appintegration-server endpoint of another Keel.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authenticationServiceRef, contextServiceRef, userServiceRef, type AuthenticationService, type UserService } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import authAppintegration from '../src/index.js';
import type { SyncJob } from '../src/sync-jobs.js';
import { adminClient, loadBundle, MASTER_PASSWORD, outcomeOf } from './support.js';

describe('auth-appintegration against Keel\'s own Application Integration endpoint', () => {
  let upstream: TestKernel;
  let downstream: TestKernel;
  let upstreamUsers: UserService;
  let downstreamUsers: UserService;
  let login: AuthenticationService['authenticate'];

  before(async () => {
    upstream = await startTestKernel({
      bundles: {
        'storage-sql': await loadBundle('storage-sql'),
        auth: await loadBundle('auth'),
        'auth-database': await loadBundle('auth-database'),
        'appintegration-server': await loadBundle('appintegration-server'),
      },
      files: { 'appintegration.yml': 'downstream: { login: "keel-b", password: "b-secret", context: 1 }\n' },
      startTimeoutMs: 20_000,
    });
    assert.equal(upstream.bundle('appintegration-server')?.state, 'ACTIVE', upstream.bundle('appintegration-server')?.error?.message);
    upstreamUsers = upstream.get(userServiceRef)!;
    await upstream.get(contextServiceRef)!.create({ id: 1, name: 'upstream', loginMappings: ['a.example'] });
    await upstreamUsers.create(1, { login: 'alice', password: 'alice-pw', displayName: 'Alice', email: 'alice@a.example', aliases: ['ali@a.example'] });
    await upstreamUsers.create(1, { login: 'bob', password: 'bob-pw', displayName: 'Bob', email: 'bob@a.example' });
    await upstreamUsers.create(1, { login: 'carol', password: 'carol-pw', displayName: 'Carol', email: 'carol@a.example', enabled: false });

    downstream = await startTestKernel({
      bundles: {
        'storage-sql': await loadBundle('storage-sql'),
        auth: await loadBundle('auth'),
        'auth-database': await loadBundle('auth-database'),
        admin: await loadBundle('admin'),
        'auth-appintegration': authAppintegration,
      },
      properties: { 'keel.auth.baseDelayMs': '1', 'keel.auth.maxDelayMs': '2' },
      files: {
        mpasswd: `oxadminmaster:{PLAIN}${MASTER_PASSWORD}\n`,
        'auth-appintegration.yml': `5: { url: "${upstream.url}/mailstore-integration/", login: keel-b, password: b-secret, timeoutMs: 5000 }\n`,
      },
      startTimeoutMs: 20_000,
    });
    downstreamUsers = downstream.get(userServiceRef)!;
    await downstream.get(contextServiceRef)!.create({ id: 5, name: 'downstream', loginMappings: ['b.example'] });
    const service = downstream.get(authenticationServiceRef)!;
    login = (credentials) => service.authenticate(credentials);
  });

  after(async () => {
    await downstream?.stop();
    await upstream?.stop();
  });

  const sync = () => adminClient(downstream.url).request<SyncJob>('POST', '/appintegration/sync', { contextId: 5 });

  it('synchronises the upstream context\'s enabled users, with the upstream DN', async () => {
    const { summary } = await sync();
    assert.equal(summary!.created, 2);
    const alice = (await downstreamUsers.findByLogin(5, 'alice'))!;
    assert.equal(alice.source, 'appintegration');
    assert.equal(alice.email, 'alice@a.example');
    assert.deepEqual(alice.aliases, ['ali@a.example']);
    assert.equal(alice.externalDn, 'uid=alice,ou=users,o=1');
    assert.equal(await downstreamUsers.findByLogin(5, 'carol'), undefined);
  });

  it('logs users in with their upstream password', async () => {
    const result = await login({ login: 'alice@b.example', password: 'alice-pw', ip: '192.0.2.7' });
    assert.equal(result.authenticator, 'appintegration');
    assert.equal(result.contextId, 5);
    assert.equal(await outcomeOf(login({ login: 'alice@b.example', password: 'wrong', ip: '192.0.2.7' })), 'LGI-0006');
  });

  it('follows upstream changes: renamed, disabled', async () => {
    const bob = (await upstreamUsers.findByLogin(1, 'bob'))!;
    await upstreamUsers.update(1, bob.id, { enabled: false });
    const alice = (await upstreamUsers.findByLogin(1, 'alice'))!;
    await upstreamUsers.update(1, alice.id, { displayName: 'Alice Archer' });
    const { summary } = await sync();
    assert.deepEqual([summary!.updated, summary!.disabled, summary!.unchanged], [1, 1, 0]);
    assert.equal((await downstreamUsers.findByLogin(5, 'alice'))!.displayName, 'Alice Archer');
    assert.equal((await downstreamUsers.findByLogin(5, 'bob'))!.enabled, false);
    // Upstream refuses bob now (disabled there), and downstream has him disabled too.
    assert.equal(await outcomeOf(login({ login: 'bob@b.example', password: 'bob-pw', ip: '192.0.2.7' })), 'LGI-0006');
  });
});
