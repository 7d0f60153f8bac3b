import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authenticatorRef, contextServiceRef, userServiceRef, type Authenticator, type Context, type User, type UserService } from '@keel/plugin-sdk';
import { loadBundles, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import { generatePeopleLdif, ldifLine, slapdSkipReason, startSlapd, type SlapdServer } from '@keel/test/harness';
import authLdap from '../src/index.js';
import { AndFilter, EqualityFilter, OrFilter } from 'ldapts';
import { AUTH_PROPERTIES, login, modifyEntry, sentSearchFilters, startLdapTap, whoami, type LdapTap } from './support.js';

const skip = slapdSkipReason() ?? false;

const PEOPLE = 'ou=people,dc=example,dc=com';
/** A uid full of filter and DN syntax: only escaping in both places lets it log in. */
const ODD_UID = 'star*(o)\\,+';
const EXTRA_LDIF = [
  [`dn: uid=star*(o)\\5c\\2c\\2b,${PEOPLE}`, 'objectClass: inetOrgPerson', ldifLine('uid', ODD_UID), 'cn: Odd Star', 'sn: Star', 'mail: star@example.com', 'userPassword: star-secret'],
  [`dn: uid=multi,${PEOPLE}`, 'objectClass: inetOrgPerson', 'uid: multi', 'cn: Multi Common', 'sn: Person', 'displayName: Multi Person', 'mail: multi@example.com', 'mail: m.alias@example.com', 'userPassword: multi-secret'],
  [`dn: uid=shared1,${PEOPLE}`, 'objectClass: inetOrgPerson', 'uid: shared1', 'cn: Shared One', 'sn: One', 'mail: shared@example.com', 'userPassword: shared-secret'],
  [`dn: uid=shared2,${PEOPLE}`, 'objectClass: inetOrgPerson', 'uid: shared2', 'cn: Shared Two', 'sn: Two', 'mail: shared@example.com', 'userPassword: shared-secret'],
  [`dn: uid=nomail,${PEOPLE}`, 'objectClass: inetOrgPerson', 'uid: nomail', 'cn: No Mail', 'sn: Mail', 'userPassword: nomail-secret'],
].map((lines) => lines.join('\n')).join('\n\n');

/** What malicious logins could do to a filter built by concatenation; each must neither match nor break. */
const HOSTILE_LOGINS = ['*', '*)(uid=*', 'admin)(|(uid=*', '\\', 'user1\u0000', '*)(|(objectClass=*', 'user1)(userPassword=*', 'u'.repeat(300)];

describe('auth-ldap, search-then-bind, over HTTP with storage-sql, auth, auth-database and sessiond', { skip }, () => {
  let slapd: SlapdServer;
  let tap: LdapTap;
  let kernel: TestKernel;
  let users: UserService;
  let ldap: Authenticator;
  let example: Context;
  let fallback: Context;
  let localUser3: User;

  const ask = (name: string, password: string) => ldap.authenticate({ login: name, password, ip: '127.0.0.1' });

  before(async () => {
    slapd = await startSlapd({ ldif: `${generatePeopleLdif(5)}\n${EXTRA_LDIF}\n` });
    // the service account's password comes from the environment, as an operator would keep it
    process.env['AUTH_LDAP_TEST_BIND_PASSWORD'] = slapd.rootPassword;
    tap = await startLdapTap(slapd);
    kernel = await startTestKernel({
      bundles: { ...(await loadBundles('storage-sql', 'auth', 'auth-database', 'sessiond')), 'auth-ldap': authLdap },
      properties: {
        ...AUTH_PROPERTIES,
        'keel.auth.ldap.url': tap.url,
        'keel.auth.ldap.mode': 'search',
        'keel.auth.ldap.bindDn': slapd.rootDn,
        'keel.auth.ldap.bindPassword': '${env:AUTH_LDAP_TEST_BIND_PASSWORD}',
        'keel.auth.ldap.search.baseDn': PEOPLE,
        'keel.auth.ldap.search.filter': '(&(objectClass=inetOrgPerson)(|(uid={login})(mail={input})))',
        'keel.auth.ldap.attribute.aliases': 'mail',
      },
    });
    assert.equal(kernel.bundle('auth-ldap')?.state, 'ACTIVE', JSON.stringify(kernel.bundle('auth-ldap')?.error));
    const contexts = kernel.get(contextServiceRef)!;
    users = kernel.get(userServiceRef)!;
    ldap = kernel.getAll(authenticatorRef).find((candidate) => candidate.name === 'ldap')!;
    example = await contexts.create({ name: 'example', loginMappings: ['example.com'] });
    fallback = await contexts.create({ name: 'default', loginMappings: ['defaultcontext'] });
    await users.create(fallback.id, { login: 'dora', password: 'dora-secret', displayName: 'Dora', email: 'dora@elsewhere.example' });
    // a local user whose login an LDAP entry has too
    localUser3 = await users.create(example.id, { login: 'user3', password: 'local-secret', displayName: 'Local Three', email: 'three@local.example' });
  });

  after(async () => {
    await kernel?.stop();
    await tap?.close();
    await slapd?.stop();
    delete process.env['AUTH_LDAP_TEST_BIND_PASSWORD'];
  });

  it('registers "ldap" with ranking 100, above the database authenticator', () => {
    const rankings = kernel.kernel.services().filter((service) => service.id === authenticatorRef.id).map((service) => [service.bundle, service.ranking]);
    assert.deepEqual(rankings, [['auth-ldap', 100], ['auth-database', 0]]);
  });

  it('logs an LDAP user in and creates the local user with source ldap and its DN', async () => {
    const answer = await login(kernel.url, 'user1@example.com', 'secret1');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body['context_id'], example.id);
    const session = await whoami(kernel.url, answer);
    assert.equal(session.status, 200, JSON.stringify(session.body));

    const user = await users.findByLogin(example.id, 'user1');
    assert.ok(user);
    assert.equal(answer.body['user_id'], user.id);
    assert.equal(user.source, 'ldap');
    assert.equal(user.externalDn, `uid=user1,${PEOPLE}`);
    assert.equal(user.email, 'user1@example.com');
    assert.equal(user.displayName, 'Given1 Family1');
    assert.deepEqual(user.aliases, []);
    // no local password: the database authenticator cannot be used to get in
    assert.equal(await users.verifyPassword(example.id, user.id, 'secret1'), false);
  });

  it('prefers displayName over cn and keeps further mail values as aliases', async () => {
    const answer = await login(kernel.url, 'multi@example.com', 'multi-secret');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const user = (await users.findByLogin(example.id, 'multi'))!;
    assert.equal(user.displayName, 'Multi Person');
    assert.equal(user.email, 'multi@example.com');
    assert.deepEqual(user.aliases, ['m.alias@example.com']);
  });

  it('updates the local user when the entry changed, keeping its id', async () => {
    const before = (await users.findByLogin(example.id, 'user1'))!;
    await modifyEntry(slapd, `uid=user1,${PEOPLE}`, { cn: ['Renamed One'], mail: ['user1.new@example.com', 'u1@example.com'] });
    const answer = await login(kernel.url, 'user1@example.com', 'secret1');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body['user_id'], before.id);
    const after = (await users.get(example.id, before.id))!;
    assert.equal(after.displayName, 'Renamed One');
    assert.equal(after.email, 'user1.new@example.com');
    assert.deepEqual(after.aliases, ['u1@example.com']);
    assert.equal(after.source, 'ldap');
  });

  it('maps logins to the entry\'s own spelling, so case does not make a second user', async () => {
    const upper = await login(kernel.url, 'USER2@example.com', 'secret2');
    const lower = await login(kernel.url, 'user2@example.com', 'secret2');
    assert.equal(upper.status, 200, JSON.stringify(upper.body));
    assert.equal(upper.body['user_id'], lower.body['user_id']);
    assert.equal((await users.findByLogin(example.id, 'user2'))?.login, 'user2');
  });

  it('answers LGI-0006 for a wrong password and creates nobody', async () => {
    const answer = await login(kernel.url, 'user4@example.com', 'not-secret4');
    assert.equal(answer.status, 401);
    assert.equal(answer.body['code'], 'LGI-0006');
    assert.equal(await users.findByLogin(example.id, 'user4'), undefined);
    assert.deepEqual(await ask('user4@example.com', 'not-secret4'), { outcome: 'failure', reason: 'wrong password' });
  });

  it('passes logins without an LDAP entry on to the database authenticator', async () => {
    assert.equal((await ask('dora', 'dora-secret')).outcome, 'not-mine');
    const answer = await login(kernel.url, 'dora', 'dora-secret');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body['context_id'], fallback.id);
    assert.equal((await login(kernel.url, 'nobody@example.com', 'whatever')).body['code'], 'LGI-0006');
  });

  it('leaves a local user with the same login to the database and never sends its password to LDAP', async () => {
    const connections = tap.connections;
    assert.ok(connections > 0 && tap.sent().includes('secret1'), 'the tap saw no LDAP traffic at all');
    assert.deepEqual(await ask('user3@example.com', 'secret3'), { outcome: 'not-mine', reason: "user authenticates through 'local'" });
    const withLdapPassword = await login(kernel.url, 'user3@example.com', 'secret3');
    assert.equal(withLdapPassword.body['code'], 'LGI-0006');
    const withLocalPassword = await login(kernel.url, 'user3@example.com', 'local-secret');
    assert.equal(withLocalPassword.status, 200, JSON.stringify(withLocalPassword.body));
    assert.equal(withLocalPassword.body['user_id'], localUser3.id);
    assert.deepEqual(await users.get(example.id, localUser3.id), localUser3);
    assert.equal(tap.connections, connections, 'LDAP was asked about a local user');
    assert.equal(tap.sent().includes('local-secret'), false);
    assert.equal(tap.sent().includes('secret3'), false);
  });

  it('never touches users of another source that the LDAP entry maps to', async () => {
    // user5's entry maps to the login user5, which belongs to an App Suite integration account here
    const foreign = await users.create(example.id, { login: 'user5', displayName: 'Integration', email: 'five@integration.example', source: 'appintegration' });
    assert.equal((await ask('user5@example.com', 'secret5')).outcome, 'not-mine');
    assert.equal((await login(kernel.url, 'user5@example.com', 'secret5')).body['code'], 'LGI-0006');
    assert.deepEqual(await users.get(example.id, foreign.id), foreign);
  });

  it('escapes filter and DN syntax in real logins', async () => {
    const answer = await login(kernel.url, `${ODD_UID}@example.com`, 'star-secret');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const user = (await users.findByLogin(example.id, ODD_UID))!;
    assert.equal(user.email, 'star@example.com');
    assert.equal(user.externalDn?.toLowerCase(), `uid=star*(o)\\5c\\2c\\2b,${PEOPLE}`.toLowerCase());
  });

  it('lets malicious logins neither match an entry nor break anything', async () => {
    const count = await users.count(example.id) + (await users.count(fallback.id));
    for (const hostile of HOSTILE_LOGINS) {
      for (const name of [hostile, `${hostile}@example.com`]) {
        assert.equal((await ask(name, 'secret1')).outcome, 'not-mine', JSON.stringify(name.slice(0, 60)));
        const answer = await login(kernel.url, name, 'secret1');
        assert.equal(answer.status, 401, `${JSON.stringify(name.slice(0, 60))}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body['code'], 'LGI-0006');
      }
    }
    // far beyond the login limit: refused before any authenticator, and the authenticator copes on its own
    assert.equal((await login(kernel.url, '*'.repeat(5000), 'secret1')).body['code'], 'LGI-0006');
    assert.equal((await ask(`${'('.repeat(5000)}@example.com`, 'secret1')).outcome, 'not-mine');
    assert.equal(await users.count(example.id) + (await users.count(fallback.id)), count);
    // what reached slapd: each login as one equality value, never as filter syntax
    const sent = sentSearchFilters(tap.sent());
    for (const hostile of HOSTILE_LOGINS) {
      const search = sent.find((filter) => filter instanceof AndFilter && (filter.filters[1] as OrFilter).filters.some((child) => (child as EqualityFilter).value === hostile));
      assert.ok(search, `no search for ${JSON.stringify(hostile.slice(0, 40))}`);
      const [uid, mail] = ((search as AndFilter).filters[1] as OrFilter).filters;
      assert.ok(uid instanceof EqualityFilter && mail instanceof EqualityFilter, search.toString());
      assert.deepEqual([uid.attribute, uid.value], ['uid', hostile]);
    }
    // the directory still answers
    assert.equal((await login(kernel.url, 'user2@example.com', 'secret2')).status, 200);
  });

  it('refuses a login whose filter matches several entries', async () => {
    assert.deepEqual(await ask('shared@example.com', 'shared-secret'), { outcome: 'failure', reason: 'several LDAP entries match this login' });
    assert.equal((await login(kernel.url, 'shared@example.com', 'shared-secret')).body['code'], 'LGI-0006');
  });

  it('refuses an entry without mail address with a reason', async () => {
    const result = await ask('nomail@example.com', 'nomail-secret');
    assert.equal(result.outcome, 'failure');
    assert.match((result as { reason: string }).reason, /has no mail address/);
  });

  it('answers failure for an empty password without any bind', async () => {
    const connections = tap.connections;
    const sent = tap.sent().length;
    assert.deepEqual(await ask('user2@example.com', ''), { outcome: 'failure', reason: 'empty password' });
    assert.equal(tap.connections, connections);
    assert.equal(tap.sent().length, sent);
  });

  it('answers not-mine while LDAP is down, and database users still log in', async () => {
    await tap.close();
    await slapd.stop();
    const result = await ask('user2@example.com', 'secret2');
    assert.equal(result.outcome, 'not-mine');
    assert.match((result as { reason: string }).reason, /^LDAP unavailable: .*ECONNREFUSED/);
    assert.doesNotMatch(JSON.stringify(result), /secret2/);
    assert.equal((await login(kernel.url, 'user2@example.com', 'secret2')).body['code'], 'LGI-0006');
    assert.equal((await login(kernel.url, 'dora', 'dora-secret')).status, 200);
  });
});
