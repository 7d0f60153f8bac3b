// contacts-sql on SQLite and on MariaDB: personal folders, paging, sorting, search (also hostile
// patterns), optimistic concurrency, validation, and the global address book made from users.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  compareContacts, contactStorageRef, contextServiceRef, GLOBAL_ADDRESS_BOOK_FOLDER_ID, userServiceRef,
  type Contact, type ContactCaller, type ContactSort, type ContactStorage, type ContextService, type UserService,
} from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import contactsSql from '../src/index.js';
import { dialectCases, keelCode, loadBundle, type DialectTarget } from './support.js';

const PEOPLE = [
  { givenName: 'Anna', surname: 'Zeller', emails: ['anna@example.com'], company: 'Acme' },
  { givenName: 'bert', surname: 'Young', emails: ['bert@example.org', 'b.young@example.net'] },
  { givenName: 'Carla', surname: 'Xu', emails: [], company: 'Beta' },
  { givenName: 'Dieter', surname: 'Wolf', emails: ['d.wolf@example.com'] },
  { givenName: 'Émile', surname: 'Vogt', emails: ['emile@example.com'], company: 'acme' },
  { displayName: '100% Real_Name!', emails: ['percent@example.com'] },
  { displayName: 'Paren (Test) *star*', emails: ['paren@example.com'] },
  { displayName: 'Back\\slash', emails: ['back@example.com'] },
];

async function collectPages(storage: ContactStorage, caller: ContactCaller, folderId: string, sort: ContactSort, pageSize: number): Promise<Contact[]> {
  const all: Contact[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await storage.list(caller, folderId, { offset, limit: pageSize, sort });
    all.push(...page.contacts);
    if (page.contacts.length < pageSize) return all;
  }
}

for (const dialect of await dialectCases()) {
  describe(`contacts-sql on ${dialect.name}`, { skip: dialect.skip }, () => {
    let target: DialectTarget;
    let kernel: TestKernel;
    let storage: ContactStorage;
    let users: UserService;
    let contexts: ContextService;
    let alice: ContactCaller;
    let bob: ContactCaller;
    let aliceFolder: string;

    before(async () => {
      target = await dialect.create();
      kernel = await startTestKernel({
        bundles: { 'storage-sql': await loadBundle('storage-sql'), 'contacts-sql': contactsSql },
        properties: { 'keel.database.url': target.url },
        http: false,
        startTimeoutMs: 20_000,
      });
      assert.equal(kernel.bundle('contacts-sql')?.state, 'ACTIVE', JSON.stringify(kernel.bundle('contacts-sql')?.error));
      storage = kernel.get(contactStorageRef)!;
      users = kernel.get(userServiceRef)!;
      contexts = kernel.get(contextServiceRef)!;
      const context = await contexts.create({ name: 'contacts', loginMappings: ['contacts.example'] });
      const a = await users.create(context.id, { login: 'alice', password: 'pw-alice', displayName: 'Alice Admin', email: 'alice@contacts.example', aliases: ['a@contacts.example'] });
      const b = await users.create(context.id, { login: 'bob', password: 'pw-bob', displayName: 'Bob Builder', email: 'bob@contacts.example', attributes: { 'contact/company': 'Builders' } });
      const c = await users.create(context.id, { login: 'carol', password: 'pw-carol', displayName: 'Carol Closed', email: 'carol@contacts.example' });
      await users.update(context.id, c.id, { enabled: false });
      alice = { contextId: context.id, userId: a.id };
      bob = { contextId: context.id, userId: b.id };
    });

    after(async () => {
      await kernel?.stop();
      await target?.drop();
    });

    it('lists the global address book and a default personal folder created on first use', async () => {
      const folders = await storage.folders(alice);
      assert.deepEqual(folders[0], { id: GLOBAL_ADDRESS_BOOK_FOLDER_ID, name: 'Global address book', type: 'public', readOnly: true });
      const personal = folders.filter((folder) => folder.type === 'private');
      assert.equal(personal.length, 1);
      assert.equal(personal[0]!.isDefault, true);
      assert.equal(personal[0]!.ownerId, alice.userId);
      assert.equal(personal[0]!.readOnly, false);
      aliceFolder = personal[0]!.id;
      // Stable on the next call, different for another user.
      assert.deepEqual((await storage.folders(alice)).map((f) => f.id), folders.map((f) => f.id));
      const bobFolders = await Promise.all([storage.folders(bob), storage.folders(bob)]);
      assert.deepEqual(bobFolders[0].map((f) => f.id), bobFolders[1].map((f) => f.id), 'concurrent first calls agree on one default folder');
      const bobPersonal = bobFolders[0].find((f) => f.type === 'private')!;
      assert.notEqual(bobPersonal.id, aliceFolder);
      assert.equal(await storage.serves(alice, aliceFolder), true);
      assert.equal(await storage.serves(bob, aliceFolder), false, "another user's folder is not served to bob");
      assert.equal(await storage.serves(alice, GLOBAL_ADDRESS_BOOK_FOLDER_ID), true);
      assert.equal(await storage.serves(alice, 'ldap.corp'), false);
    });

    it('creates contacts, derives display names and reads them back', async () => {
      for (const person of PEOPLE) await storage.create(alice, aliceFolder, person);
      const page = await storage.list(alice, aliceFolder);
      assert.equal(page.total, PEOPLE.length);
      const anna = page.contacts.find((c) => c.givenName === 'Anna')!;
      assert.equal(anna.displayName, 'Anna Zeller');
      assert.equal(anna.folderId, aliceFolder);
      assert.ok(anna.lastModified > 0);
      assert.deepEqual(await storage.get(alice, aliceFolder, anna.id), anna);
      assert.equal(await storage.get(alice, aliceFolder, '999999'), undefined);
      assert.equal(await storage.get(alice, aliceFolder, 'not-a-number'), undefined);
      const carla = page.contacts.find((c) => c.givenName === 'Carla')!;
      assert.deepEqual(carla.emails, []);
    });

    it('pages and sorts without overlaps or gaps, empty values last', async () => {
      for (let i = 0; i < 23; i++) await storage.create(alice, aliceFolder, { givenName: `Pager${String(i).padStart(2, '0')}`, surname: i % 3 === 0 ? '' : `S${i}` });
      const total = (await storage.list(alice, aliceFolder, { limit: 0 })).total!;
      assert.equal(total, PEOPLE.length + 23);
      for (const sort of [
        { field: 'displayName', order: 'asc' },
        { field: 'displayName', order: 'desc' },
        { field: 'surname', order: 'asc' },
        { field: 'lastModified', order: 'desc' },
      ] satisfies ContactSort[]) {
        const paged = await collectPages(storage, alice, aliceFolder, sort, 7);
        assert.equal(paged.length, total, `${sort.field} ${sort.order}: every contact once`);
        assert.equal(new Set(paged.map((c) => c.id)).size, total);
        const oneGo = (await storage.list(alice, aliceFolder, { sort })).contacts;
        assert.deepEqual(paged.map((c) => c.id), oneGo.map((c) => c.id), `${sort.field} ${sort.order}: pages match one big page`);
      }
      const bySurname = (await storage.list(alice, aliceFolder, { sort: { field: 'surname', order: 'asc' } })).contacts;
      const firstEmpty = bySurname.findIndex((c) => c.surname === undefined);
      assert.ok(firstEmpty > 0 && bySurname.slice(firstEmpty).every((c) => c.surname === undefined), 'contacts without surname come last');
      assert.deepEqual(bySurname.slice(0, 3).map((c) => c.surname), ['S1', 'S10', 'S11']);
      const byName = (await storage.list(alice, aliceFolder, { sort: { field: 'displayName', order: 'asc' } })).contacts;
      assert.deepEqual(byName.slice(0, 3).map((c) => c.displayName), ['100% Real_Name!', 'Anna Zeller', 'Back\\slash']);
    });

    it('searches name and mail prefixes case-insensitively, with * wildcards', async () => {
      const names = async (pattern: string) => (await storage.search(alice, aliceFolder, { pattern })).contacts.map((c) => c.displayName).sort();
      assert.deepEqual(await names('anna'), ['Anna Zeller']);
      assert.deepEqual(await names('BERT'), ['bert Young']);
      assert.deepEqual(await names('young'), ['bert Young'], 'surname prefix');
      assert.deepEqual(await names('b.young@'), ['bert Young'], 'second mail address');
      assert.deepEqual(await names('*@example.com'), ['Anna Zeller', 'Dieter Wolf', 'Émile Vogt', 'Paren (Test) *star*', 'Back\\slash', '100% Real_Name!'].sort());
      assert.deepEqual(await names('*olf'), ['Dieter Wolf']);
      assert.deepEqual(await names('émile'), ['Émile Vogt']);
      assert.equal((await storage.search(alice, aliceFolder, { pattern: '' })).total, PEOPLE.length + 23);
      assert.equal((await storage.search(alice, aliceFolder, { pattern: '*' })).total, PEOPLE.length + 23);
      assert.equal((await storage.search(alice, aliceFolder, { pattern: 'pager', limit: 5 })).contacts.length, 5);
      assert.equal((await storage.search(alice, aliceFolder, { pattern: 'pager', limit: 5 })).total, 23);
    });

    it('treats LIKE and LDAP syntax in patterns as literal text: hostile patterns neither break nor widen', async () => {
      const names = async (pattern: string) => (await storage.search(alice, aliceFolder, { pattern })).contacts.map((c) => c.displayName);
      assert.deepEqual(await names('100%'), ['100% Real_Name!']);
      assert.deepEqual(await names('%'), [], '% is no wildcard');
      assert.deepEqual(await names('_'), [], '_ is no wildcard');
      assert.deepEqual(await names('100% Real_'), ['100% Real_Name!']);
      assert.deepEqual(await names('100% Real_Name!'), ['100% Real_Name!']);
      assert.deepEqual(await names('!'), []);
      assert.deepEqual(await names('Paren ('), ['Paren (Test) *star*']);
      assert.deepEqual(await names('*(Test)'), ['Paren (Test) *star*']);
      assert.deepEqual(await names('*)(uid=*'), []);
      assert.deepEqual(await names('Back\\'), ['Back\\slash']);
      assert.deepEqual(await names('\\'), []);
      assert.deepEqual(await names('\0'), []);
      assert.deepEqual(await names("' or '1'='1"), []);
      assert.deepEqual(await names('"); drop table contacts_entries; --'), []);
      assert.equal((await storage.list(alice, aliceFolder, { limit: 0 })).total, PEOPLE.length + 23, 'the table is still there');
    });

    it('updates with optimistic concurrency, clears fields with null and keeps mail search in step', async () => {
      const [dieter] = (await storage.search(alice, aliceFolder, { pattern: 'dieter' })).contacts;
      assert.ok(dieter);
      const updated = await storage.update(alice, aliceFolder, dieter.id, { emails: ['dieter.new@example.com'], company: 'Wolf AG', givenName: null }, { ifUnmodifiedSince: dieter.lastModified });
      assert.ok(updated.lastModified > dieter.lastModified);
      assert.equal(updated.givenName, undefined);
      assert.equal(updated.company, 'Wolf AG');
      assert.equal(updated.displayName, 'Dieter Wolf', 'an explicit display name stays');
      assert.deepEqual(await storage.get(alice, aliceFolder, dieter.id), updated);
      assert.deepEqual((await storage.search(alice, aliceFolder, { pattern: 'dieter.new' })).contacts.map((c) => c.id), [dieter.id]);
      assert.deepEqual((await storage.search(alice, aliceFolder, { pattern: 'd.wolf' })).contacts, [], 'the old address is gone');
      await assert.rejects(storage.update(alice, aliceFolder, dieter.id, { note: 'stale' }, { ifUnmodifiedSince: dieter.lastModified }), keelCode('CON-0004', 409));
      const rederived = await storage.update(alice, aliceFolder, dieter.id, { displayName: null });
      assert.equal(rederived.displayName, 'Wolf', 'a cleared display name is derived from what is left');
    });

    it('deletes, with the same concurrency check', async () => {
      const created = await storage.create(alice, aliceFolder, { displayName: 'Short Lived' });
      await assert.rejects(storage.delete(alice, aliceFolder, created.id, { ifUnmodifiedSince: created.lastModified - 1 }), keelCode('CON-0004'));
      await storage.delete(alice, aliceFolder, created.id, { ifUnmodifiedSince: created.lastModified });
      assert.equal(await storage.get(alice, aliceFolder, created.id), undefined);
      await assert.rejects(storage.delete(alice, aliceFolder, created.id), keelCode('CON-0002', 404));
    });

    it('rejects invalid input with CON-0005', async () => {
      await assert.rejects(storage.create(alice, aliceFolder, { emails: ['not a mail'] }), keelCode('CON-0005', 400));
      await assert.rejects(storage.create(alice, aliceFolder, {}), keelCode('CON-0005'));
      await assert.rejects(storage.create(alice, aliceFolder, { displayName: 'x'.repeat(256) }), keelCode('CON-0005'));
      await assert.rejects(storage.create(alice, aliceFolder, { displayName: 'Bad\0Byte' }), keelCode('CON-0005'));
      await assert.rejects(storage.create(alice, aliceFolder, { displayName: 'X', birthday: '2023-02-30' }), keelCode('CON-0005'));
      await assert.rejects(storage.create(alice, aliceFolder, { displayName: 'X', phones: [{ type: 'pager' as never, number: '1' }] }), keelCode('CON-0005'));
      await assert.rejects(storage.create(alice, aliceFolder, { displayName: 'X', shoeSize: 42 } as never), keelCode('CON-0005'));
      const full = await storage.create(alice, aliceFolder, {
        givenName: 'Full', surname: 'Record', birthday: '1990-02-28', phones: [{ type: 'mobile', number: '+49 170 1' }],
        addresses: [{ type: 'business', street: 'Main St 1', city: 'Olpe', country: 'DE' }], categories: ['a', 'A', 'b'], note: 'line1\nline2',
      });
      assert.deepEqual(full.categories, ['a', 'b']);
      assert.deepEqual(full.addresses, [{ type: 'business', street: 'Main St 1', city: 'Olpe', country: 'DE' }]);
    });

    it("keeps users apart: bob cannot reach alice's folder or contacts", async () => {
      const [anna] = (await storage.search(alice, aliceFolder, { pattern: 'anna' })).contacts;
      await assert.rejects(storage.list(bob, aliceFolder), keelCode('CON-0001', 404));
      await assert.rejects(storage.get(bob, aliceFolder, anna!.id), keelCode('CON-0001'));
      await assert.rejects(storage.update(bob, aliceFolder, anna!.id, { note: 'x' }), keelCode('CON-0001'));
      const bobFolder = (await storage.folders(bob)).find((f) => f.isDefault)!.id;
      assert.equal(await storage.get(bob, bobFolder, anna!.id), undefined);
    });

    it('serves the global address book from the enabled users of the context, read-only', async () => {
      const page = await storage.list(alice, GLOBAL_ADDRESS_BOOK_FOLDER_ID);
      assert.deepEqual(page.contacts.map((c) => c.displayName), ['Alice Admin', 'Bob Builder']);
      const aliceEntry = page.contacts[0]!;
      assert.equal(aliceEntry.userId, alice.userId);
      assert.deepEqual(aliceEntry.emails, ['alice@contacts.example', 'a@contacts.example']);
      assert.equal(page.contacts[1]!.company, 'Builders');
      assert.deepEqual(await storage.get(alice, GLOBAL_ADDRESS_BOOK_FOLDER_ID, String(bob.userId)), page.contacts[1]);
      assert.deepEqual((await storage.search(alice, GLOBAL_ADDRESS_BOOK_FOLDER_ID, { pattern: 'a@' })).contacts.map((c) => c.userId), [alice.userId]);
      assert.deepEqual((await storage.list(alice, GLOBAL_ADDRESS_BOOK_FOLDER_ID, { sort: { field: 'displayName', order: 'desc' } })).contacts.map((c) => c.displayName), ['Bob Builder', 'Alice Admin']);
      assert.deepEqual([...page.contacts].sort(compareContacts()), page.contacts);
      await assert.rejects(storage.create(alice, GLOBAL_ADDRESS_BOOK_FOLDER_ID, { displayName: 'Intruder' }), keelCode('CON-0003', 403));
      await assert.rejects(storage.update(alice, GLOBAL_ADDRESS_BOOK_FOLDER_ID, String(bob.userId), { note: 'x' }), keelCode('CON-0003'));
      await assert.rejects(storage.delete(alice, GLOBAL_ADDRESS_BOOK_FOLDER_ID, String(bob.userId)), keelCode('CON-0003'));
    });

    it("removes a deleted user's folders and contacts", async () => {
      const folder = (await storage.folders(bob)).find((f) => f.isDefault)!.id;
      await storage.create(bob, folder, { displayName: 'Bob Friend' });
      await users.delete(bob.contextId, bob.userId);
      assert.equal(await storage.serves(bob, folder), false);
      assert.deepEqual((await storage.list(alice, GLOBAL_ADDRESS_BOOK_FOLDER_ID)).contacts.map((c) => c.displayName), ['Alice Admin']);
    });
  });
}
