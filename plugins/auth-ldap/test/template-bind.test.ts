import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authenticatorRef, contextServiceRef, userServiceRef, type Authenticator, type Context, type UserService } from '@keel/plugin-sdk';
import { loadBundles, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import { generatePeopleLdif, ldifLine, slapdSkipReason, startSlapd, type SlapdServer } from '@keel/test/harness';
import authLdap from '../src/index.js';
import { AUTH_PROPERTIES, login, startLdapTap, whoami, type LdapTap } from './support.js';

const skip = slapdSkipReason() ?? false;

const PEOPLE = 'ou=people,dc=example,dc=com';
const ODD_UID = 'star*(o)\\,+';
const LDAP_CONTEXT_ID = 77;
const ODD_LDIF = [`dn: uid=star*(o)\\5c\\2c\\2b,${PEOPLE}`, 'objectClass: inetOrgPerson', ldifLine('uid', ODD_UID), 'cn: Odd Star', 'sn: Star', 'mail: star@example.com', 'userPassword: star-secret'].join('\n');

/** Logins that would add RDNs, change the base or hit special DN syntax if they were not escaped. */
const HOSTILE_LOGINS = ['*', 'user1,ou=people,dc=example,dc=com', 'user1+cn=x', '#user1', 'user1\u0000', '\\', 'user1\\2c', '"user1"', 'user1;x', '<user1>', 'u'.repeat(300)];

describe('auth-ldap, DN template bind into a fixed context, over HTTP', { skip }, () => {
  let slapd: SlapdServer;
  let tap: LdapTap;
  let kernel: TestKernel;
  let users: UserService;
  let ldap: Authenticator;
  let ldapContext: Context;
  let fallback: Context;

  const ask = (name: string, password: string) => ldap.authenticate({ login: name, password, ip: '127.0.0.1' });

  before(async () => {
    slapd = await startSlapd({ ldif: `${generatePeopleLdif(3)}\n${ODD_LDIF}\n` });
    tap = await startLdapTap(slapd);
    kernel = await startTestKernel({
      bundles: { ...(await loadBundles('storage-sql', 'auth', 'auth-database', 'sessiond')), 'auth-ldap': authLdap },
      properties: {
        ...AUTH_PROPERTIES,
        // the tap first: it is closed in the last test while slapd stays up, so failover is exercised too
        'keel.auth.ldap.url': `${tap.url}, ${slapd.url}`,
        'keel.auth.ldap.mode': 'template',
        'keel.auth.ldap.userDnTemplate': `uid={login},${PEOPLE}`,
        'keel.auth.ldap.contextId': String(LDAP_CONTEXT_ID),
        'keel.auth.ldap.connectTimeoutMs': '2000',
        'keel.auth.ldap.operationTimeoutMs': '5000',
      },
    });
    assert.equal(kernel.bundle('auth-ldap')?.state, 'ACTIVE', JSON.stringify(kernel.bundle('auth-ldap')?.error));
    const contexts = kernel.get(contextServiceRef)!;
    users = kernel.get(userServiceRef)!;
    ldap = kernel.getAll(authenticatorRef).find((candidate) => candidate.name === 'ldap')!;
    ldapContext = await contexts.create({ id: LDAP_CONTEXT_ID, name: 'ldap users', loginMappings: ['ldap.example'] });
    fallback = await contexts.create({ name: 'default', loginMappings: ['defaultcontext'] });
    await users.create(fallback.id, { login: 'dora', password: 'dora-secret', displayName: 'Dora', email: 'dora@elsewhere.example' });
    await users.create(LDAP_CONTEXT_ID, { login: 'lena', password: 'lena-secret', displayName: 'Lena', email: 'lena@ldap.example' });
  });

  after(async () => {
    await kernel?.stop();
    await tap?.close();
    await slapd?.stop();
  });

  it('logs in with the DN built from the template and creates the user in the fixed context', async () => {
    const answer = await login(kernel.url, 'user1', 'secret1');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body['context_id'], LDAP_CONTEXT_ID);
    assert.equal((await whoami(kernel.url, answer)).status, 200);
    const user = (await users.findByLogin(ldapContext.id, 'user1'))!;
    assert.equal(answer.body['user_id'], user.id);
    assert.deepEqual([user.source, user.externalDn, user.email, user.displayName], ['ldap', `uid=user1,${PEOPLE}`, 'user1@example.com', 'Given1 Family1']);
  });

  it('drops the context\'s own @mapping from the login', async () => {
    const answer = await login(kernel.url, 'user1@ldap.example', 'secret1');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body['user_id'], (await users.findByLogin(ldapContext.id, 'user1'))!.id);
  });

  it('answers failure and LGI-0006 for a wrong password of an existing entry', async () => {
    assert.deepEqual(await ask('user2', 'wrong'), { outcome: 'failure', reason: 'wrong password' });
    assert.equal((await login(kernel.url, 'user2', 'wrong')).body['code'], 'LGI-0006');
    assert.equal(await users.findByLogin(ldapContext.id, 'user2'), undefined);
  });

  it('tells an unknown DN (LDAP answers 49 for it too) from a wrong password: the database gets its turn', async () => {
    assert.deepEqual(await ask('dora', 'dora-secret'), { outcome: 'not-mine', reason: 'no LDAP entry for this login' });
    const answer = await login(kernel.url, 'dora', 'dora-secret');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body['context_id'], fallback.id);
  });

  it('leaves local users of its context to the database', async () => {
    const before = tap.sent().length;
    assert.equal((await ask('lena', 'lena-secret')).outcome, 'not-mine');
    assert.equal(tap.sent().length, before, 'LDAP was asked about a local user');
    assert.equal((await login(kernel.url, 'lena@ldap.example', 'lena-secret')).status, 200);
  });

  it('escapes DN syntax in real logins', async () => {
    const answer = await login(kernel.url, ODD_UID, 'star-secret');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal((await users.findByLogin(ldapContext.id, ODD_UID))?.email, 'star@example.com');
  });

  it('lets malicious logins neither bind nor break anything', async () => {
    const count = await users.count(ldapContext.id);
    for (const hostile of HOSTILE_LOGINS) {
      assert.equal((await ask(hostile, 'secret1')).outcome, 'not-mine', JSON.stringify(hostile.slice(0, 60)));
      const answer = await login(kernel.url, hostile, 'secret1');
      assert.equal(answer.status, 401, `${JSON.stringify(hostile.slice(0, 60))}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body['code'], 'LGI-0006');
    }
    assert.equal(await users.count(ldapContext.id), count);
    assert.equal((await login(kernel.url, 'user3', 'secret3')).status, 200);
  });

  it('never binds with an empty password', async () => {
    const before = tap.sent().length;
    assert.deepEqual(await ask('user3', ''), { outcome: 'failure', reason: 'empty password' });
    assert.equal(tap.sent().length, before);
  });

  it('fails over to the next URL when the first server is down', async () => {
    await tap.close();
    const answer = await login(kernel.url, 'user2', 'secret2');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body['context_id'], LDAP_CONTEXT_ID);
  });
});
