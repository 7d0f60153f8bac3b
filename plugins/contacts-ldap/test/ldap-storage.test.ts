// contacts-ldap against a private slapd with 2,000 people: paging across pages, every bind mode,
// every folder mode, per-user enablement, hostile search patterns, read-only writes, and a
// directory that is down or hung while everything else keeps working.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { contactStorageRef, contextServiceRef, userServiceRef, type Context, type UserService } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import { freePort, slapdSkipReason, startSlapd, type SlapdServer } from '@keel/test/harness';
import contactsLdap from '../src/index.js';
import { attributeFolderId } from '../src/ldap-folders.js';
import { bindName, entriesPerSearch, OP, startLdapTap, type LdapTap } from './ldap-tap.js';
import {
  call, contactStack, departmentOf, directoryLdif, login, ok, PEOPLE_BASE, slapdPid, SPECIAL_BASE,
  type Client, type Json,
} from './support.js';

const PEOPLE = 2000;
const PAGE = 500;
const ALL_PROVIDERS = 'gab,depts,dyn,usertpl,userres,wrongadmin,down';

function clientConfig(slapd: SlapdServer, tap: LdapTap, closedPort: number): string {
  const host = `hosts: ["${tap.url}"]`;
  const timeouts = 'timeouts: { connect: 1000, operation: 1500, request: 4000 }';
  return `
connections:
  anon:
    ${host}
    ${timeouts}
    pool: { size: 2 }
    bind: { mode: anonymous }
  admin:
    ${host}
    ${timeouts}
    bind: { mode: admindn, dn: "${slapd.rootDn}", passwordProperty: test.ldap.adminPassword }
  wrongadmin:
    ${host}
    ${timeouts}
    bind: { mode: admindn, dn: "${slapd.rootDn}", password: not-the-password }
  usertemplate:
    ${host}
    ${timeouts}
    bind: { mode: userdn, template: "uid=[uid],${PEOPLE_BASE}" }
  userresolved:
    ${host}
    ${timeouts}
    bind:
      mode: userdnresolved
      base: "${PEOPLE_BASE}"
      scope: one
      filter: "(&(objectClass=inetOrgPerson)(mail=[mail]))"
  down:
    hosts: ["ldap://127.0.0.1:${closedPort}"]
    ${timeouts}
    bind: { mode: anonymous }
`;
}

const PROVIDERS = `
providers:
  gab:
    name: Directory
    connection: anon
    maxPageSize: ${PAGE}
    folders:
      mode: static
      static:
        - { id: "6", name: Company directory, base: "${PEOPLE_BASE}", scope: one, filter: "(objectClass=inetOrgPerson)" }
        - { id: ldap.gab.special, name: Special names, base: "${SPECIAL_BASE}", filter: "(objectClass=inetOrgPerson)" }
  depts:
    connection: admin
    mappings: corp
    maxPageSize: ${PAGE}
    folders:
      mode: fixedAttributes
      fixedAttributes: { attribute: departmentNumber, values: [Sales, Support], base: "${PEOPLE_BASE}" }
  dyn:
    connection: admin
    maxPageSize: ${PAGE}
    folders:
      mode: dynamicAttributes
      dynamicAttributes: { attribute: departmentNumber, base: "${PEOPLE_BASE}", filter: "(objectClass=inetOrgPerson)" }
  dynuser:
    connection: usertemplate
    maxPageSize: ${PAGE}
    folders:
      mode: dynamicAttributes
      dynamicAttributes: { attribute: departmentNumber, base: "${PEOPLE_BASE}", filter: "(objectClass=inetOrgPerson)" }
  usertpl:
    connection: usertemplate
    folders: { mode: static, static: [{ id: ldap.usertpl.people, name: As myself, base: "${PEOPLE_BASE}", filter: "(uid=user1*)" }] }
  userres:
    connection: userresolved
    folders: { mode: static, static: [{ id: ldap.userres.people, name: As my resolved self, base: "${PEOPLE_BASE}", filter: "(uid=user2*)" }] }
  wrongadmin:
    connection: wrongadmin
    folders: { mode: static, static: [{ id: ldap.wrongadmin.people, name: Misconfigured, base: "${PEOPLE_BASE}" }] }
  down:
    connection: down
    folders: { mode: static, static: [{ id: ldap.down.people, name: Unreachable, base: "${PEOPLE_BASE}" }] }
`;

const MAPPINGS = `
mappings:
  corp:
    id: uid
    displayName: [displayName, cn]
    givenName: givenName
    surname: sn
    emails: mail
    department: departmentNumber
    phones.business: telephoneNumber
    lastModified: modifyTimestamp
`;

describe('contacts-ldap against slapd', { skip: slapdSkipReason() }, () => {
  let slapd: SlapdServer;
  let kernel: TestKernel;
  let users: UserService;
  let context: Context;
  let user7: Client;
  let plain: Client;
  /** Every LDAP message between Keel and slapd. */
  let tap: LdapTap;
  const requests = (op: number) => tap.messages.filter((m) => m.direction === 'request' && m.op === op);
  const binds = () => requests(OP.bindRequest).map(bindName);
  /** Messages cleared from the tap, kept for questions about earlier connections. */
  const history: LdapTap['messages'] = [];

  before(async () => {
    slapd = await startSlapd({ suffix: 'dc=example,dc=com', ldif: await directoryLdif(PEOPLE) });
    tap = await startLdapTap(slapd);
    const clear = tap.clear;
    tap.clear = () => {
      history.push(...tap.messages);
      clear();
    };
    kernel = await startTestKernel({
      bundles: { ...(await contactStack()), 'contacts-ldap': contactsLdap },
      properties: { 'keel.auth.baseDelayMs': '1', 'keel.auth.maxDelayMs': '5', 'test.ldap.adminPassword': slapd.rootPassword },
      files: { 'ldap-client-config.yml': clientConfig(slapd, tap, await freePort()), 'contacts-ldap.yml': PROVIDERS, 'contacts-ldap-mappings.yml': MAPPINGS },
      startTimeoutMs: 20_000,
    });
    assert.equal(kernel.bundle('contacts-ldap')?.state, 'ACTIVE', JSON.stringify(kernel.bundle('contacts-ldap')?.error));
    users = kernel.get(userServiceRef)!;
    context = await kernel.get(contextServiceRef)!.create({ name: 'example', loginMappings: ['example.com'] });
    // user7 exists in LDAP with password secret7; LDAP is enabled for this user only, through the cascade.
    const seven = await users.create(context.id, { login: 'user7', password: 'secret7', displayName: 'Keel User Seven', email: 'user7@example.com' });
    await users.setConfig(context.id, seven.id, { set: { 'com.openexchange.contacts.ldap.accounts': ALL_PROVIDERS } });
    await users.create(context.id, { login: 'plain', password: 'plain-pw', displayName: 'Plain Keel User', email: 'plain@example.com' });
    user7 = await login(kernel.url, 'user7@example.com', 'secret7');
    plain = await login(kernel.url, 'plain@example.com', 'plain-pw');
  });

  after(async () => {
    await kernel?.stop();
    await tap?.close();
    await slapd?.stop();
  });

  it('registers above contacts-sql and lists the LDAP folders of the enabled providers', async () => {
    const rankings = kernel.kernel.services().filter((s) => s.id === contactStorageRef.id).map((s) => [s.bundle, s.ranking]);
    assert.deepEqual(rankings, [['contacts-ldap', 100], ['contacts-sql', 0]]);
    const folders = await call<Json[]>(user7, 'contacts', 'folders');
    const ids = folders.data.map((f) => f['id']);
    assert.deepEqual(ids.slice(0, 2), ['6', 'ldap.gab.special']);
    assert.equal(folders.data[0]!['title'], 'Company directory');
    assert.equal(folders.data[0]!['read_only'], true);
    for (const department of ['Sales', 'Support']) assert.ok(ids.includes(attributeFolderId('depts', department)), `fixed folder ${department}`);
    assert.ok(!ids.includes(attributeFolderId('depts', 'Research')), 'fixedAttributes lists only the configured values');
    for (const department of ['Research', 'Sales', 'Support']) assert.ok(ids.includes(attributeFolderId('dyn', department)), `dynamic folder ${department}`);
    assert.ok(folders.data.some((f) => f['standard_folder'] === true), 'the personal SQL folder is still listed');
    assert.ok(ids.includes('ldap.down.people'), 'static folders are listed without asking the directory');
  });

  it('reads folder 6 from LDAP with RFC 2696 paging across pages, sorted, without gaps', async () => {
    tap.clear();
    const first = await ok<unknown[][]>(user7, 'contacts', 'all', { folder: '6', columns: '1,500,555', sort: '555', limit: 1000 });
    const pages = entriesPerSearch(tap.messages);
    assert.ok(pages.length >= PEOPLE / PAGE, `one search request per page: ${JSON.stringify(pages)}`);
    assert.ok(pages.every((entries) => entries <= PAGE), `no page above maxPageSize: ${JSON.stringify(pages)}`);
    assert.equal(pages.reduce((sum, entries) => sum + entries, 0), PEOPLE);
    const second = await ok<unknown[][]>(user7, 'contacts', 'all', { folder: '6', columns: '1,500,555', sort: '555', offset: 1000, limit: 1000 });
    const all = [...first, ...second];
    assert.equal(all.length, PEOPLE);
    assert.equal(new Set(all.map((row) => row[0])).size, PEOPLE, 'every entry exactly once');
    const mails = all.map((row) => String(row[2]));
    assert.deepEqual(mails.slice(0, 3), ['user1@example.com', 'user2@example.com', 'user3@example.com'], 'numeric-aware order');
    assert.equal(mails.at(-1), `user${PEOPLE}@example.com`);
    // A page straddling LDAP pages: the same entries as the matching slice of the full listing.
    const straddle = await ok<unknown[][]>(user7, 'contacts', 'all', { folder: '6', columns: '1', sort: '555', offset: 450, limit: 100 });
    assert.deepEqual(straddle.map((row) => row[0]), all.slice(450, 550).map((row) => row[0]));
  });

  it('gets single entries and refuses ids outside the folder', async () => {
    const [row] = await ok<unknown[][]>(user7, 'contacts', 'search', { pattern: 'user42@', columns: '1' }, { pattern: 'user42@', folder: ['6'] });
    const contact = await ok<Json>(user7, 'contacts', 'get', { folder: '6', id: String(row![0]) });
    assert.equal(contact['email1'], 'user42@example.com');
    assert.equal(contact['first_name'], 'Given42');
    assert.equal(contact['last_name'], 'Family42');
    assert.equal(contact['telephone_business1'], '+49 555 0000042');
    const special = Buffer.from(`uid=paren,${SPECIAL_BASE}`).toString('base64url');
    const outside = await call(user7, 'contacts', 'get', { folder: '6', id: special });
    assert.deepEqual([outside.status, outside.body['code']], [404, 'CON-0002'], 'a DN outside the folder is no contact of it');
    const gone = await call(user7, 'contacts', 'get', { folder: '6', id: Buffer.from(`uid=nobody,${PEOPLE_BASE}`).toString('base64url') });
    assert.deepEqual([gone.status, gone.body['code']], [404, 'CON-0002']);
    const byUid = await ok<Json>(user7, 'contacts', 'get', { folder: attributeFolderId('depts', 'Sales'), id: 'user3' });
    assert.equal(byUid['id'], 'user3', 'mapping corp uses uid as the id');
  });

  it('serves fixedAttributes and dynamicAttributes folders with their entries only', async () => {
    const expected = (department: string) => Array.from({ length: PEOPLE }, (_, i) => i + 1).filter((i) => departmentOf(i) === department).length;
    for (const [provider, department] of [['depts', 'Sales'], ['depts', 'Support'], ['dyn', 'Research'], ['dyn', 'Sales']] as const) {
      const rows = await ok<unknown[][]>(user7, 'contacts', 'all', { folder: attributeFolderId(provider, department), columns: '1,519' });
      assert.equal(rows.length, Math.min(expected(department), 1000), `${provider} ${department}`);
      if (provider === 'depts') assert.ok(rows.every((row) => row[1] === department), 'department mapped from departmentNumber');
    }
    const unknown = await ok<unknown[]>(user7, 'contacts', 'all', { folder: attributeFolderId('dyn', 'Nonexistent') });
    assert.deepEqual(unknown, [], 'an unknown dynamic value is an empty folder');
    const notConfigured = await call(user7, 'contacts', 'all', { folder: attributeFolderId('depts', 'Research') });
    assert.deepEqual([notConfigured.status, notConfigured.body['code']], [404, 'CON-0001']);
  });

  it('dynamicAttributes folders found while bound as the user are remembered for that user only', async () => {
    // Two more users with only the user-bound dynamic provider: each discovery runs bound as that user.
    const asUser = async (index: number) => {
      const created = await users.create(context.id, { login: `user${index}`, password: `secret${index}`, displayName: `Keel User ${index}`, email: `user${index}@example.com` });
      await users.setConfig(context.id, created.id, { set: { 'com.openexchange.contacts.ldap.accounts': 'dynuser' } });
      return login(kernel.url, `user${index}@example.com`, `secret${index}`);
    };
    const first11 = await asUser(11);
    const then12 = await asUser(12);
    const discoveries = () => requests(OP.searchRequest).filter((m) => m.bytes.includes('departmentNumber')).length;
    const dynamicIds = (folders: Json[]) => folders.map((f) => String(f['id'])).filter((id) => id.startsWith('ldap.dynuser.'));

    tap.clear();
    const first = dynamicIds(await ok<Json[]>(first11, 'contacts', 'folders'));
    assert.deepEqual(first.sort(), ['Research', 'Sales', 'Support'].map((d) => attributeFolderId('dynuser', d)).sort());
    assert.ok(discoveries() > 0, 'found in the directory (one search request per page)');
    assert.deepEqual(binds(), [`uid=user11,${PEOPLE_BASE}`]);

    tap.clear();
    assert.deepEqual(dynamicIds(await ok<Json[]>(first11, 'contacts', 'folders')).sort(), first.sort());
    assert.equal(discoveries(), 0, 'the same user within refreshInterval: remembered');

    tap.clear();
    assert.deepEqual(dynamicIds(await ok<Json[]>(then12, 'contacts', 'folders')).sort(), first.sort());
    assert.ok(discoveries() > 0, "another user: found again with that user's bind, never from user11's list");
    assert.deepEqual(binds(), [`uid=user12,${PEOPLE_BASE}`]);
  });

  it('binds anonymously, as the admin DN, and as the user (template and resolved by search)', async () => {
    tap.clear();
    assert.equal((await ok<unknown[]>(user7, 'contacts', 'all', { folder: 'ldap.gab.special' })).length, 4);
    assert.deepEqual(binds(), [], 'anonymous: no bind at all');

    // The pool keeps the admin connection bound: the search ran on a connection bound as the admin DN.
    tap.clear();
    await ok(user7, 'contacts', 'all', { folder: attributeFolderId('depts', 'Sales'), limit: 1 });
    const [salesSearch] = requests(OP.searchRequest);
    const adminBinds = history.filter((m) => m.connection === salesSearch!.connection && m.direction === 'request' && m.op === OP.bindRequest).map(bindName);
    assert.deepEqual(adminBinds.length > 0 ? adminBinds : binds(), [slapd.rootDn]);

    tap.clear();
    const mine = await ok<unknown[][]>(user7, 'contacts', 'all', { folder: 'ldap.usertpl.people', columns: '1', limit: 5 });
    assert.equal(mine.length, 5);
    assert.deepEqual(binds(), [`uid=user7,${PEOPLE_BASE}`], 'bound as the user with the session password');

    tap.clear();
    const resolved = await ok<unknown[][]>(user7, 'contacts', 'all', { folder: 'ldap.userres.people', columns: '1', limit: 5 });
    assert.equal(resolved.length, 5);
    const [userSearch] = requests(OP.searchRequest);
    assert.ok(userSearch!.bytes.includes('user7@example.com'), 'the user DN was searched by mail');
    assert.deepEqual(binds(), [`uid=user7,${PEOPLE_BASE}`]);

    const wrong = await call(user7, 'contacts', 'all', { folder: 'ldap.wrongadmin.people' });
    assert.deepEqual([wrong.status, wrong.body['code']], [503, 'CLDAP-0004']);
    assert.match(String(wrong.body['error']), /check ldap-client-config\.yml/);
  });

  it('refuses user binds with the wrong LDAP password or an unknown login', async () => {
    const eight = await users.create(context.id, { login: 'user8', password: 'not-secret8', displayName: 'Eight', email: 'user8@example.com' });
    await users.setConfig(context.id, eight.id, { set: { 'com.openexchange.contacts.ldap.accounts': 'usertpl' } });
    const client = await login(kernel.url, 'user8@example.com', 'not-secret8');
    const refused = await call(client, 'contacts', 'all', { folder: 'ldap.usertpl.people' });
    assert.deepEqual([refused.status, refused.body['code']], [403, 'CLDAP-0004']);

    const ghost = await users.create(context.id, { login: 'ghost', password: 'ghost-pw', displayName: 'Ghost', email: 'ghost@example.com' });
    await users.setConfig(context.id, ghost.id, { set: { 'com.openexchange.contacts.ldap.accounts': 'userres' } });
    const ghostClient = await login(kernel.url, 'ghost@example.com', 'ghost-pw');
    const notFound = await call(ghostClient, 'contacts', 'all', { folder: 'ldap.userres.people' });
    assert.deepEqual([notFound.status, notFound.body['code']], [403, 'CLDAP-0006']);
  });

  it('keeps the global address book in SQL for users without LDAP enabled', async () => {
    const folders = await ok<Json[]>(plain, 'contacts', 'folders');
    assert.ok(!folders.some((f) => String(f['id']).startsWith('ldap.')));
    assert.equal(folders[0]!['title'], 'Global address book');
    const gab = await ok<Json[]>(plain, 'contacts', 'all', { folder: '6' });
    assert.ok(gab.some((c) => c['display_name'] === 'Plain Keel User'), 'SQL users, not LDAP entries');
    assert.equal(gab.length < 100, true);
    const ldapOnly = await call(plain, 'contacts', 'all', { folder: 'ldap.gab.special' });
    assert.deepEqual([ldapOnly.status, ldapOnly.body['code']], [404, 'CON-0001']);
  });

  it('searches by name and mail prefix; hostile patterns neither break nor widen the filter', async () => {
    const names = async (pattern: string, folder = 'ldap.gab.special') =>
      (await ok<unknown[][]>(user7, 'contacts', 'search', { columns: '500' }, { pattern, folder: [folder] })).map((row) => row[0]).sort();
    assert.deepEqual(await names('paren'), ['Paren (Test)']);
    assert.deepEqual(await names('Paren ('), ['Paren (Test)']);
    assert.deepEqual(await names('*(Test)'), ['Paren (Test)']);
    assert.deepEqual(await names('Back\\'), ['Back\\slash']);
    assert.deepEqual(await names('\\'), []);
    assert.deepEqual(await names('('), []);
    assert.deepEqual(await names(')'), []);
    assert.deepEqual(await names('\0'), []);
    assert.deepEqual(await names('x\0*'), []);
    tap.clear();
    assert.deepEqual(await names('*)(uid=*'), ['*)(uid=*'], 'only the entry literally named so');
    // BER filters carry no parentheses: these bytes can only be a value inside a substring filter.
    assert.ok(requests(OP.searchRequest).some((m) => m.bytes.includes(')(uid=')), 'the parentheses reached slapd as value octets');
    assert.deepEqual(await names('*)(uid=*', '6'), [], 'and nothing in the people folder');
    assert.deepEqual((await names('*')).length, 4, '* alone lists the folder');

    const total = await ok<unknown[]>(user7, 'contacts', 'search', { limit: 5000 }, { pattern: 'user1', folder: ['6'] });
    assert.equal(total.length, 1000, 'user1, user10-19, user100-199, user1000-1999: 1111 matches, capped at 1000');
    const given = await ok<unknown[][]>(user7, 'contacts', 'search', { columns: '502' }, { pattern: 'given2000', folder: ['6'] });
    assert.deepEqual(given, [['Family2000']]);
  });

  it('answers writes to LDAP folders with a clear read-only error', async () => {
    const create = await call(user7, 'contacts', 'new', {}, { folder_id: '6', display_name: 'Nope' });
    assert.deepEqual([create.status, create.body['code']], [403, 'CON-0003']);
    assert.match(String(create.body['error']), /comes from LDAP and is read-only/);
    const id = Buffer.from(`uid=user1,${PEOPLE_BASE}`).toString('base64url');
    const update = await call(user7, 'contacts', 'update', { folder: '6', id }, { note: 'x' });
    assert.deepEqual([update.status, update.body['code']], [403, 'CON-0003']);
    const remove = await call(user7, 'contacts', 'delete', {}, [{ id, folder: '6' }]);
    assert.deepEqual([remove.status, remove.body['code']], [403, 'CON-0003']);
  });

  it('exports an LDAP folder as vCard', async () => {
    const response = await fetch(`${kernel.url}/appsuite/api/export?action=VCARD&folder=ldap.gab.special&version=4.0&session=${user7.session}`, { headers: { cookie: user7.cookie } });
    assert.equal(response.status, 200);
    const text = (await response.text()).replace(/\r\n /g, '');
    assert.equal(text.match(/^BEGIN:VCARD\r$/gm)?.length, 4);
    assert.match(text, /^FN:Back\\\\slash\r$/m);
    assert.match(text, /^FN:\*\)\(uid=\*\r$/m);
  });

  it('answers a clear error for an unreachable directory, and everything else keeps working', async () => {
    const down = await call(user7, 'contacts', 'all', { folder: 'ldap.down.people' });
    assert.deepEqual([down.status, down.body['code']], [503, 'CLDAP-0002']);
    assert.match(String(down.body['error']), /unreachable/);
    const personal = (await ok<Json[]>(user7, 'contacts', 'folders')).find((f) => f['standard_folder'] === true)!;
    await ok(user7, 'contacts', 'new', {}, { folder_id: personal['id'], display_name: 'Still Works', email1: 'still@example.com' });
    const search = await call<Json[]>(user7, 'contacts', 'search', {}, { pattern: 'still' });
    assert.equal(search.status, 200);
    assert.deepEqual(search.data.map((c) => c['display_name']), ['Still Works']);
    assert.ok((search.body['warnings'] as Json[]).some((w) => w['code'] === 'CLDAP-0002'), 'the unreachable folder is reported as a warning');
  });

  it('answers CLDAP-0003 within the timeout while the directory hangs, and recovers', async () => {
    const pid = await slapdPid(slapd);
    process.kill(pid, 'SIGSTOP');
    try {
      const hung = await call(user7, 'contacts', 'all', { folder: '6' });
      assert.deepEqual([hung.status, hung.body['code']], [504, 'CLDAP-0003']);
      const personal = (await ok<Json[]>(user7, 'contacts', 'folders')).find((f) => f['standard_folder'] === true)!;
      const own = await ok<Json[]>(user7, 'contacts', 'all', { folder: String(personal['id']) });
      assert.ok(own.some((c) => c['display_name'] === 'Still Works'), 'SQL folders answer while LDAP hangs');
      const plainGab = await ok<Json[]>(plain, 'contacts', 'all', { folder: '6' });
      assert.ok(plainGab.length > 0, 'users without LDAP are not affected');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const back = await ok<unknown[]>(user7, 'contacts', 'all', { folder: 'ldap.gab.special' });
    assert.equal(back.length, 4, 'the pool recovers once the directory answers again');
  });
});
