import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authenticatorRef, contextServiceRef, userServiceRef, type Authenticator, type Context, type User } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import authDatabase from '../src/index.js';
import { loadBundle } from './support.js';

describe('auth-database: resolving logins and checking stored hashes', () => {
  let kernel: TestKernel;
  let authenticator: Authenticator;
  let mapped: Context;
  let fallback: Context;
  let alice: User;
  let dora: User;
  let odd: User;

  const ask = (login: string, password: string, contextId?: number) =>
    authenticator.authenticate({ login, password, ip: '127.0.0.1', ...(contextId !== undefined ? { contextId } : {}) });

  before(async () => {
    kernel = await startTestKernel({
      bundles: { 'storage-sql': await loadBundle('storage-sql'), 'auth-database': authDatabase },
    });
    authenticator = kernel.getAll(authenticatorRef).find((candidate) => candidate.name === 'database')!;
    const contexts = kernel.get(contextServiceRef)!;
    const users = kernel.get(userServiceRef)!;
    mapped = await contexts.create({ name: 'mapped', loginMappings: ['example.com'] });
    fallback = await contexts.create({ name: 'default', loginMappings: ['defaultcontext'] });
    alice = await users.create(mapped.id, { login: 'alice', password: 'alice-secret', displayName: 'Alice', email: 'alice.smith@example.com', aliases: ['al@example.com'] });
    dora = await users.create(fallback.id, { login: 'dora', password: 'dora-secret', displayName: 'Dora', email: 'dora@elsewhere.example' });
    odd = await users.create(fallback.id, { login: 'odd@unmapped.example', password: 'odd-secret', displayName: 'Odd', email: 'odd@mail.example' });
    await users.create(mapped.id, { login: 'lena', displayName: 'Lena', email: 'lena@example.com', source: 'ldap', externalDn: 'uid=lena,ou=people,dc=example,dc=com' });
  });

  after(async () => {
    await kernel?.stop();
  });

  it('registers itself as "database" with ranking 0', () => {
    const entry = kernel.kernel.services().find((service) => service.id === authenticatorRef.id && service.bundle === 'auth-database');
    assert.equal(entry?.ranking, 0);
  });

  it('resolves login@mapping in the mapped context', async () => {
    assert.deepEqual(await ask('alice@example.com', 'alice-secret'), { outcome: 'success', contextId: mapped.id, userId: alice.id });
  });

  it('resolves a primary address and an alias in the mapped context', async () => {
    assert.equal((await ask('alice.smith@example.com', 'alice-secret')).outcome, 'success');
    assert.equal((await ask('AL@example.com', 'alice-secret')).outcome, 'success');
  });

  it('resolves plain logins, logins containing @ and mail addresses in the default context', async () => {
    assert.deepEqual(await ask('dora', 'dora-secret'), { outcome: 'success', contextId: fallback.id, userId: dora.id });
    assert.deepEqual(await ask('odd@unmapped.example', 'odd-secret'), { outcome: 'success', contextId: fallback.id, userId: odd.id });
    assert.deepEqual(await ask('dora@elsewhere.example', 'dora-secret'), { outcome: 'success', contextId: fallback.id, userId: dora.id });
  });

  it('answers failure for a wrong password and not-mine for unknown logins', async () => {
    assert.equal((await ask('alice@example.com', 'wrong')).outcome, 'failure');
    assert.equal((await ask('nobody@example.com', 'x')).outcome, 'not-mine');
    assert.equal((await ask('nobody', 'x')).outcome, 'not-mine');
  });

  it('leaves users without a local password to other authenticators', async () => {
    assert.equal((await ask('lena@example.com', 'anything')).outcome, 'not-mine');
  });

  it('searches only the given context when one is named', async () => {
    assert.equal((await ask('alice', 'alice-secret', mapped.id)).outcome, 'success');
    assert.equal((await ask('alice@example.com', 'alice-secret', mapped.id)).outcome, 'success');
    assert.equal((await ask('alice', 'alice-secret', fallback.id)).outcome, 'not-mine');
  });
});
