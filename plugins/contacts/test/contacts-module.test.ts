// The contacts module over HTTP with the real session, auth and SQL storage bundles: every action,
// session checks, errors, vCard export, and routing by ranking while storages come and go.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  contactStorageRef, contextServiceRef, defineBundle, GLOBAL_ADDRESS_BOOK_FOLDER_ID, KeelError, userServiceRef,
  type Contact, type ContactStorage,
} from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import contacts from '../src/index.js';
import { call, loadBundle, login, ok, sessionBundles, type Client, type FolderJson } from './support.js';

type Json = Record<string, unknown>;

/** A small read-only storage as a partner would write it: one static folder, optionally claiming the GAB. */
function staticStorage(name: string, folderIds: string[], entries: Array<Pick<Contact, 'id' | 'displayName' | 'emails'>>, broken = false): ContactStorage {
  const toContact = (folderId: string, entry: (typeof entries)[number]): Contact => ({ ...entry, folderId, phones: [], addresses: [], categories: [], lastModified: 0 });
  const unavailable = () => new KeelError('TEST-0503', `${name} is down`, { status: 503 });
  return {
    name,
    capabilities: { readOnly: true, sortFields: ['displayName'] },
    async folders() {
      if (broken) throw unavailable();
      return folderIds.map((id) => ({ id, name: `${name} ${id}`, type: 'public' as const, readOnly: true }));
    },
    async serves(_caller, folderId) {
      return folderIds.includes(folderId);
    },
    async list(_caller, folderId) {
      if (broken) throw unavailable();
      return { contacts: entries.map((entry) => toContact(folderId, entry)), total: entries.length };
    },
    async search(_caller, folderId, { pattern }) {
      if (broken) throw unavailable();
      const found = entries.filter((entry) => entry.displayName.toLowerCase().startsWith(pattern.toLowerCase()));
      return { contacts: found.map((entry) => toContact(folderId, entry)), total: found.length };
    },
    async get(_caller, folderId, id) {
      const entry = entries.find((candidate) => candidate.id === id);
      return entry ? toContact(folderId, entry) : undefined;
    },
    async create() { throw new KeelError('CON-0003', 'read-only', { status: 403 }); },
    async update() { throw new KeelError('CON-0003', 'read-only', { status: 403 }); },
    async delete() { throw new KeelError('CON-0003', 'read-only', { status: 403 }); },
  };
}

const partnerBundle = defineBundle({
  provides: [contactStorageRef],
  start({ register }) {
    register(contactStorageRef, staticStorage('partner', [GLOBAL_ADDRESS_BOOK_FOLDER_ID, 'partner.extra'], [{ id: 'p1', displayName: 'Partner Person', emails: ['pp@partner.example'] }]), { ranking: 50 });
  },
});

const brokenBundle = defineBundle({
  provides: [contactStorageRef],
  start({ register }) {
    register(contactStorageRef, staticStorage('broken', ['broken.folder'], [], true), { ranking: 10 });
  },
});

describe('contacts module over HTTP', () => {
  let kernel: TestKernel;
  let alice: Client;
  let bob: Client;
  let personal: string;

  before(async () => {
    kernel = await startTestKernel({
      bundles: { ...(await sessionBundles()), 'contacts-sql': await loadBundle('contacts-sql'), contacts },
      properties: { 'keel.auth.baseDelayMs': '1', 'keel.auth.maxDelayMs': '5' },
      startTimeoutMs: 20_000,
    });
    assert.equal(kernel.bundle('contacts')?.state, 'ACTIVE', JSON.stringify(kernel.bundle('contacts')?.error));
    const context = await kernel.get(contextServiceRef)!.create({ name: 'http', loginMappings: ['http.example'] });
    const users = kernel.get(userServiceRef)!;
    await users.create(context.id, { login: 'alice', password: 'alice-pw', displayName: 'Alice Anders', email: 'alice@http.example' });
    await users.create(context.id, { login: 'bob', password: 'bob-pw', displayName: 'Bob Berger', email: 'bob@http.example' });
    alice = await login(kernel.url, 'alice@http.example', 'alice-pw');
    bob = await login(kernel.url, 'bob@http.example', 'bob-pw');
  });

  after(async () => {
    await kernel?.stop();
  });

  it('lists the folders: the global address book and the personal default folder', async () => {
    const folders = await ok<FolderJson[]>(alice, 'contacts', 'folders');
    assert.deepEqual(folders[0], { id: '6', title: 'Global address book', module: 'contacts', type: 'public', 'read_only': true, standard_folder: false });
    const own = folders.find((folder) => folder.standard_folder)!;
    assert.equal(own.type, 'private');
    assert.equal(own.read_only, false);
    personal = own.id;
  });

  it('creates, reads, lists, updates and deletes contacts', async () => {
    const created = await ok<{ id: string; last_modified: number }>(alice, 'contacts', 'new', {}, {
      folder_id: personal, first_name: 'Zoe', last_name: 'Zimmer', email1: 'zoe@example.com', telephone_business1: '+49 1', birthday: Date.UTC(1985, 4, 6), note: 'Ümlaut, ok',
    });
    await ok(alice, 'contacts', 'new', {}, { folder_id: personal, display_name: 'Adam Apfel', email1: 'adam@example.com' });
    await ok(alice, 'contacts', 'new', {}, { folder_id: personal, company: 'Mid Corp' });

    const fetched = await ok<Json>(alice, 'contacts', 'get', { folder: personal, id: created.id });
    assert.equal(fetched['display_name'], 'Zoe Zimmer');
    assert.equal(fetched['email1'], 'zoe@example.com');
    assert.equal(fetched['telephone_business1'], '+49 1');
    assert.equal(fetched['birthday'], Date.UTC(1985, 4, 6));
    assert.equal(fetched['folder_id'], personal);

    const rows = await ok<unknown[][]>(alice, 'contacts', 'all', { folder: personal, columns: '1,500,555', sort: '500', order: 'asc' });
    assert.deepEqual(rows.map((row) => row[1]), ['Adam Apfel', 'Mid Corp', 'Zoe Zimmer']);
    const paged = await ok<unknown[][]>(alice, 'contacts', 'all', { folder: personal, columns: '500', sort: '500', order: 'desc', left_hand_limit: 1, right_hand_limit: 3 });
    assert.deepEqual(paged, [['Mid Corp'], ['Adam Apfel']]);

    const listed = await ok<Json[]>(alice, 'contacts', 'list', {}, [{ id: created.id, folder: personal }, { id: '999999', folder: personal }]);
    assert.deepEqual(listed.map((contact) => contact['id']), [created.id], 'missing contacts are left out');

    const updated = await ok<{ last_modified: number }>(alice, 'contacts', 'update', { folder: personal, id: created.id, timestamp: created.last_modified }, { email2: 'zoe@work.example', note: null });
    assert.ok(updated.last_modified > created.last_modified);
    const after = await ok<Json>(alice, 'contacts', 'get', { folder: personal, id: created.id });
    assert.equal(after['email2'], 'zoe@work.example');
    assert.equal(after['note'], undefined);
    assert.equal(after['telephone_business1'], '+49 1', 'untouched fields stay');

    const stale = await call(alice, 'contacts', 'update', { folder: personal, id: created.id, timestamp: created.last_modified }, { note: 'lost update?' });
    assert.equal(stale.status, 409);
    assert.equal(stale.body['code'], 'CON-0004');

    assert.deepEqual(await ok(alice, 'contacts', 'delete', { timestamp: updated.last_modified }, [{ id: created.id, folder: personal }]), []);
    const gone = await call(alice, 'contacts', 'get', { folder: personal, id: created.id });
    assert.equal(gone.status, 404);
    assert.equal(gone.body['code'], 'CON-0002');
  });

  it('searches every visible folder, or the ones named', async () => {
    await ok(alice, 'contacts', 'new', {}, { folder_id: personal, display_name: 'Bobby Tables', email1: 'bobby@example.com' });
    const everywhere = await ok<Json[]>(alice, 'contacts', 'search', {}, { pattern: 'bob' });
    assert.deepEqual(everywhere.map((c) => [c['display_name'], c['folder_id']]), [['Bob Berger', '6'], ['Bobby Tables', personal]]);
    const onlyGab = await ok<Json[]>(alice, 'contacts', 'search', {}, { pattern: 'bob', folder: ['6'] });
    assert.deepEqual(onlyGab.map((c) => c['display_name']), ['Bob Berger']);
    const byQuery = await ok<unknown[][]>(alice, 'contacts', 'search', { pattern: 'b*tables', columns: '500' });
    assert.deepEqual(byQuery, [['Bobby Tables']]);
    for (const hostile of ['*)(uid=*', '\\', '\0', '(', ')', '%', '_']) {
      assert.deepEqual(await ok(alice, 'contacts', 'search', {}, { pattern: hostile }), [], JSON.stringify(hostile));
    }
  });

  it('checks the session and its secret cookie on every action', async () => {
    const noCookie = await fetch(`${kernel.url}/appsuite/api/contacts?action=folders&session=${alice.session}`);
    assert.equal(noCookie.status, 403);
    assert.equal(((await noCookie.json()) as Json)['code'], 'SES-0205');
    const noSession = await fetch(`${kernel.url}/appsuite/api/contacts?action=all&folder=6`, { headers: { cookie: alice.cookie } });
    assert.equal(noSession.status, 401);
    assert.equal(((await noSession.json()) as Json)['code'], 'SES-0203');
    const otherCookie = await call({ ...alice, cookie: bob.cookie }, 'contacts', 'all', { folder: '6' });
    assert.equal(otherCookie.status, 403);
  });

  it("answers clear errors: unknown folders, other users' folders, read-only folders, bad parameters", async () => {
    const unknown = await call(alice, 'contacts', 'all', { folder: 'nope' });
    assert.deepEqual([unknown.status, unknown.body['code']], [404, 'CON-0001']);
    const foreign = await call(bob, 'contacts', 'all', { folder: personal });
    assert.deepEqual([foreign.status, foreign.body['code']], [404, 'CON-0001']);
    const readOnly = await call(alice, 'contacts', 'new', {}, { folder_id: '6', display_name: 'Intruder' });
    assert.deepEqual([readOnly.status, readOnly.body['code']], [403, 'CON-0003']);
    const missing = await call(alice, 'contacts', 'get', { folder: personal });
    assert.deepEqual([missing.status, missing.body['code']], [400, 'CON-0010']);
    const badSort = await call(alice, 'contacts', 'all', { folder: personal, sort: 'shoe_size' });
    assert.deepEqual([badSort.status, badSort.body['code']], [400, 'CON-0010']);
    const badField = await call(alice, 'contacts', 'new', {}, { folder_id: personal, display_name: 'x', shoe_size: 42 });
    assert.deepEqual([badField.status, badField.body['code']], [400, 'CON-0011']);
    const invalid = await call(alice, 'contacts', 'new', {}, { folder_id: personal, email1: 'not-a-mail' });
    assert.deepEqual([invalid.status, invalid.body['code']], [400, 'CON-0005']);
  });

  it('exports a folder as vCard 3.0 and 4.0', async () => {
    await ok(alice, 'contacts', 'new', {}, { folder_id: personal, first_name: 'Ünïcödé', last_name: 'Nämé 😀', email1: 'u@example.com', note: 'a;b,c\nd'.repeat(20) });
    const count = (await ok<unknown[]>(alice, 'contacts', 'all', { folder: personal })).length;
    for (const version of ['3.0', '4.0']) {
      const response = await fetch(`${kernel.url}/appsuite/api/export?action=VCARD&folder=${personal}&version=${version}&session=${alice.session}`, { headers: { cookie: alice.cookie } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type')!, /^text\/vcard; charset=utf-8/);
      assert.match(response.headers.get('content-disposition')!, /^attachment; filename="Contacts\.vcf"/);
      const text = await response.text();
      assert.equal(text.match(/^BEGIN:VCARD\r$/gm)?.length, count);
      assert.equal(text.match(new RegExp(`^VERSION:${version.replace('.', '\\.')}\\r$`, 'gm'))?.length, count);
      for (const line of text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `line too long: ${line}`);
      const unfolded = text.replace(/\r\n /g, '');
      assert.match(unfolded, /^FN:Ünïcödé Nämé 😀\r$/m);
      assert.match(unfolded, /^NOTE:a\\;b\\,c\\nda\\;b/m);
    }
    const gab = await fetch(`${kernel.url}/appsuite/api/export?action=VCARD&folder=6&session=${alice.session}`, { headers: { cookie: alice.cookie } });
    assert.match(await gab.text(), /^FN:Alice Anders\r$/m);
    assert.match(gab.headers.get('content-disposition')!, /filename="Global address book\.vcf"/);
    const bad = await call(alice, 'export', 'VCARD', { folder: personal, version: '2.1' });
    assert.deepEqual([bad.status, bad.body['code']], [400, 'CON-0010']);
  });

  it('routes each folder to the highest-ranked storage serving it, per request, as storages come and go', async () => {
    const gabNames = async () => (await ok<Json[]>(alice, 'contacts', 'all', { folder: '6' })).map((c) => c['display_name']);
    assert.deepEqual(await gabNames(), ['Alice Anders', 'Bob Berger']);

    await kernel.stop();
    kernel = await startTestKernel({
      bundles: { ...(await sessionBundles()), 'contacts-sql': await loadBundle('contacts-sql'), contacts, partner: partnerBundle, broken: brokenBundle },
      properties: { 'keel.auth.baseDelayMs': '1', 'keel.auth.maxDelayMs': '5' },
      startTimeoutMs: 20_000,
    });
    const context = await kernel.get(contextServiceRef)!.create({ name: 'http', loginMappings: ['http.example'] });
    await kernel.get(userServiceRef)!.create(context.id, { login: 'alice', password: 'alice-pw', displayName: 'Alice Anders', email: 'alice@http.example' });
    alice = await login(kernel.url, 'alice@http.example', 'alice-pw');

    // ranking 50 beats contacts-sql's 0 for folder 6; folders of a storage that fails are reported as warnings.
    assert.deepEqual(await gabNames(), ['Partner Person']);
    const folders = await call<FolderJson[]>(alice, 'contacts', 'folders');
    assert.equal(folders.status, 200);
    assert.deepEqual(folders.data.map((f) => [f.id, f.title]).slice(0, 2), [['6', 'partner 6'], ['partner.extra', 'partner partner.extra']]);
    assert.ok(folders.data.some((f) => f.standard_folder), 'the personal folder is still there');
    assert.equal((folders.body['warnings'] as Json[])[0]!['code'], 'TEST-0503');
    const search = await call<Json[]>(alice, 'contacts', 'search', {}, { pattern: 'p' });
    assert.deepEqual(search.data.map((c) => [c['display_name'], c['folder_id']]), [['Partner Person', '6'], ['Partner Person', 'partner.extra']]);
    const broken = await call(alice, 'contacts', 'all', { folder: 'broken.folder' });
    assert.deepEqual([broken.status, broken.body['code']], [503, 'TEST-0503']);

    // The partner stops: the very next request is answered by contacts-sql again, no restart of contacts.
    await kernel.kernel.stopBundle('partner');
    assert.equal(kernel.bundle('contacts')?.state, 'ACTIVE');
    assert.deepEqual(await gabNames(), ['Alice Anders']);
    await kernel.kernel.startBundle('partner');
    assert.deepEqual(await gabNames(), ['Partner Person']);
  });
});
