// Contexts and users through the real kernel, on both dialects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isKeelError } from '@keel/plugin-sdk';
import { dialectCases, type TestDatabase } from './dialects.js';
import { startStorageKernel, type StorageKernel } from './storage-kernel.js';

/** Asserts a KeelError with this code and status, and a message matching `message`. */
function keelError(code: string, status: number, message?: RegExp) {
  return (error: unknown) => {
    assert.ok(isKeelError(error), `expected a KeelError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.status, status);
    if (message) assert.match(error.message, message);
    return true;
  };
}

for (const dialect of await dialectCases()) {
  describe(`directory on ${dialect.name}`, { skip: dialect.skip }, () => {
    let target: TestDatabase;
    let storage: StorageKernel;

    before(async () => {
      target = await dialect.create();
      storage = await startStorageKernel(target.url);
    });
    after(async () => {
      await storage?.stop();
      await target?.drop();
    });

    describe('contexts', () => {
      it('creates a context with the given id, login mappings and attributes', async () => {
        const created = await storage.contexts.create({ id: 10, name: 'Example', loginMappings: ['Example.COM', 'example.org'], attributes: { 'taxonomy/types': 'gold' } });
        assert.deepEqual(created, { id: 10, name: 'Example', enabled: true, loginMappings: ['example.com', 'example.org'], attributes: { 'taxonomy/types': 'gold' }, config: {} });
        assert.deepEqual(await storage.contexts.get(10), created);
        assert.equal((await storage.contexts.findByLoginMapping('EXAMPLE.com'))?.id, 10);
        assert.equal(await storage.contexts.findByLoginMapping('nowhere.example'), undefined);
      });

      it('takes the next free id when none is given', async () => {
        const created = await storage.contexts.create({ name: 'Next' });
        assert.equal(created.id, 11);
      });

      it('refuses a duplicate id or login mapping and writes nothing', async () => {
        await assert.rejects(storage.contexts.create({ id: 10, name: 'Again' }), keelError('CTX-0002', 409, /Context 10 already exists/));
        await assert.rejects(
          storage.contexts.create({ id: 20, name: 'Clash', loginMappings: ['fresh.example', 'example.org'] }),
          keelError('CTX-0002', 409, /Login mapping 'example.org' is already used by context 10/),
        );
        assert.equal(await storage.contexts.get(20), undefined);
        assert.equal(await storage.contexts.findByLoginMapping('fresh.example'), undefined);
      });

      it('refuses invalid input with the field named', async () => {
        await assert.rejects(storage.contexts.create({ name: '  ' }), keelError('CTX-0003', 400, /name must not be empty/));
        await assert.rejects(storage.contexts.create({ name: 'x'.repeat(256) }), keelError('CTX-0003', 400, /name exceeds 255 characters \(got 256\)/));
        await assert.rejects(storage.contexts.create({ name: 'A', loginMappings: ['a@b'] }), keelError('CTX-0003', 400, /must not contain '@'/));
        await assert.rejects(storage.contexts.create({ name: 'A', id: 0 }), keelError('CTX-0003', 400, /id must be a whole number/));
        await assert.rejects(storage.contexts.create({ name: 'A', colour: 'red' } as never), keelError('CTX-0003', 400, /unknown field 'colour'/));
        await assert.rejects(storage.contexts.create({ name: 'A', attributes: { 'config/x': 'y' } }), keelError('CTX-0003', 400, /config value/));
      });

      it('answers CTX-0001 for an unknown context', async () => {
        assert.equal(await storage.contexts.get(999), undefined);
        await assert.rejects(storage.contexts.require(999), keelError('CTX-0001', 404, /Context 999 does not exist/));
        await assert.rejects(storage.contexts.update(999, { name: 'x' }), keelError('CTX-0001', 404));
        await assert.rejects(storage.contexts.setConfig(999, { set: { a: 'b' } }), keelError('CTX-0001', 404));
        await assert.rejects(storage.contexts.delete(999), keelError('CTX-0001', 404));
      });

      it('updates name, state, mappings and attributes, and tells the directory hook', async () => {
        storage.events.length = 0;
        const updated = await storage.contexts.update(11, { name: 'Renamed', enabled: false, loginMappings: ['next.example'], attributes: { team: 'blue' } });
        assert.deepEqual(updated, { id: 11, name: 'Renamed', enabled: false, loginMappings: ['next.example'], attributes: { team: 'blue' }, config: {} });
        const removed = await storage.contexts.update(11, { attributes: { team: null }, enabled: true });
        assert.deepEqual(removed.attributes, {});
        assert.equal(removed.enabled, true);
        assert.deepEqual(storage.events, [{ hook: 'changed', contextId: 11 }, { hook: 'changed', contextId: 11 }]);
      });

      it('sets and removes config values apart from the free attributes', async () => {
        const set = await storage.contexts.setConfig(10, { set: { 'com.openexchange.a': '1', 'com.openexchange.b': 'two' } });
        assert.deepEqual(set.config, { 'com.openexchange.a': '1', 'com.openexchange.b': 'two' });
        assert.deepEqual(set.attributes, { 'taxonomy/types': 'gold' });
        const removed = await storage.contexts.setConfig(10, { set: { 'com.openexchange.a': '3' }, remove: ['com.openexchange.b', 'never.set'] });
        assert.deepEqual(removed.config, { 'com.openexchange.a': '3' });
        await assert.rejects(storage.contexts.setConfig(10, { set: { a: '1' }, remove: ['a'] }), keelError('CTX-0003', 400, /both set and removed/));
        await assert.rejects(storage.contexts.setConfig(10, { set: { 'a b': '1' } }), keelError('CTX-0003', 400, /must not contain spaces/));
        await assert.rejects(storage.contexts.setConfig(10, { set: { a: 'x'.repeat(16_001) } }), keelError('CTX-0003', 400, /exceeds 16000 characters/));
      });

      it('lists contexts by page', async () => {
        await storage.contexts.create({ id: 30, name: 'Thirty' });
        assert.deepEqual((await storage.contexts.list()).map((context) => context.id), [10, 11, 30]);
        assert.deepEqual((await storage.contexts.list({ offset: 1, limit: 1 })).map((context) => context.id), [11]);
        await assert.rejects(storage.contexts.list({ limit: 5000 }), keelError('CTX-0003', 400, /limit must be/));
      });

      it('finds the default context by its mapping', async () => {
        assert.equal(await storage.contexts.defaultContext(), undefined);
        await storage.contexts.update(30, { loginMappings: ['defaultcontext'] });
        assert.equal((await storage.contexts.defaultContext())?.id, 30);
      });
    });

    describe('users', () => {
      let userId: number;

      it('creates users with ids counted per context', async () => {
        const user = await storage.users.create(10, {
          login: 'anton', password: 'secret-1', displayName: 'Anton A', email: 'anton@example.com',
          aliases: ['a@example.com', 'ANTON@example.com', 'a@example.com'], attributes: { department: 'R&D' },
        });
        assert.deepEqual(user, {
          contextId: 10, id: 1, login: 'anton', displayName: 'Anton A', email: 'anton@example.com', aliases: ['a@example.com'],
          enabled: true, attributes: { department: 'R&D' }, config: {}, source: 'local',
        });
        userId = user.id;
        assert.equal((await storage.users.create(10, { login: 'berta', displayName: 'Berta', email: 'berta@example.com' })).id, 2);
        assert.equal((await storage.users.create(11, { login: 'anton', displayName: 'Other Anton', email: 'anton@example.com' })).id, 1);
        assert.equal(await storage.users.count(10), 2);
      });

      it('finds users by login and by any address, ignoring case', async () => {
        assert.equal((await storage.users.findByLogin(10, 'ANTON'))?.id, userId);
        assert.equal((await storage.users.findByMail(10, 'A@EXAMPLE.COM'))?.id, userId);
        assert.equal((await storage.users.findByMail(10, 'anton@example.com'))?.id, userId);
        assert.equal(await storage.users.findByMail(10, 'nobody@example.com'), undefined);
        assert.equal(await storage.users.findByLogin(12, 'anton'), undefined);
      });

      it('refuses a duplicate login or address and writes nothing', async () => {
        await assert.rejects(
          storage.users.create(10, { login: 'Anton', displayName: 'Dup', email: 'dup@example.com' }),
          keelError('USR-0002', 409, /Login 'Anton' is already used by user 1 in context 10/),
        );
        await assert.rejects(
          storage.users.create(10, { login: 'carl', displayName: 'Carl', email: 'carl@example.com', aliases: ['A@example.com'] }),
          keelError('USR-0002', 409, /Mail address 'a@example.com' is already used by user 1 in context 10/),
        );
        assert.equal(await storage.users.count(10), 2);
        assert.equal(await storage.users.findByLogin(10, 'carl'), undefined);
        assert.equal(await storage.users.findByMail(10, 'carl@example.com'), undefined);
      });

      it('refuses invalid input with the field and limit named', async () => {
        const base = { login: 'dora', displayName: 'Dora', email: 'dora@example.com' };
        await assert.rejects(storage.users.create(10, { ...base, email: 'not-a-mail' }), keelError('USR-0003', 400, /email 'not-a-mail' is not a valid mail address/));
        await assert.rejects(storage.users.create(10, { ...base, aliases: ['dora@'] }), keelError('USR-0003', 400, /alias 'dora@' is not a valid mail address/));
        await assert.rejects(storage.users.create(10, { ...base, login: '' }), keelError('USR-0003', 400, /login must not be empty/));
        await assert.rejects(storage.users.create(10, { ...base, login: 'do ra' }), keelError('USR-0003', 400, /login must not contain spaces/));
        await assert.rejects(storage.users.create(10, { ...base, displayName: 'D'.repeat(300) }), keelError('USR-0003', 400, /displayName exceeds 255 characters \(got 300\)/));
        await assert.rejects(storage.users.create(10, { ...base, password: '' }), keelError('USR-0003', 400, /password must not be empty/));
        await assert.rejects(storage.users.create(10, { ...base, password: 'p'.repeat(1025) }), keelError('USR-0003', 400, /password exceeds 1024 characters/));
        await assert.rejects(storage.users.create(10, { ...base, admin: true } as never), keelError('USR-0003', 400, /unknown field 'admin'/));
        await assert.rejects(storage.users.create(999, base), keelError('CTX-0001', 404));
        assert.equal(await storage.users.count(10), 2);
      });

      it('answers USR-0001 for an unknown user and CTX-0001 for an unknown context', async () => {
        assert.equal(await storage.users.get(10, 99), undefined);
        await assert.rejects(storage.users.require(10, 99), keelError('USR-0001', 404, /User 99 does not exist in context 10/));
        await assert.rejects(storage.users.require(999, 1), keelError('CTX-0001', 404));
        await assert.rejects(storage.users.update(10, 99, { displayName: 'x' }), keelError('USR-0001', 404));
        await assert.rejects(storage.users.setPassword(10, 99, 'pw'), keelError('USR-0001', 404));
        await assert.rejects(storage.users.setConfig(10, 99, { set: { a: 'b' } }), keelError('USR-0001', 404));
        await assert.rejects(storage.users.delete(10, 99), keelError('USR-0001', 404));
      });

      it('updates a user, and a clashing update changes nothing', async () => {
        storage.events.length = 0;
        const updated = await storage.users.update(10, userId, { displayName: 'Anton B', email: 'anton.b@example.com', aliases: ['ab@example.com'], attributes: { department: null, room: '12' } });
        assert.equal(updated.displayName, 'Anton B');
        assert.equal(updated.email, 'anton.b@example.com');
        assert.deepEqual(updated.aliases, ['ab@example.com']);
        assert.deepEqual(updated.attributes, { room: '12' });
        assert.equal(await storage.users.findByMail(10, 'anton@example.com'), undefined);
        assert.equal((await storage.users.findByMail(10, 'AB@example.com'))?.id, userId);
        await assert.rejects(storage.users.update(10, userId, { displayName: 'Half', aliases: ['berta@example.com'] }), keelError('USR-0002', 409, /berta@example.com/));
        assert.equal((await storage.users.require(10, userId)).displayName, 'Anton B');
        assert.deepEqual(storage.events, [{ hook: 'changed', contextId: 10, userId }]);
      });

      it('checks passwords in constant time and tells the password hook', async () => {
        assert.equal(await storage.users.verifyPassword(10, userId, 'secret-1'), true);
        assert.equal(await storage.users.verifyPassword(10, userId, 'secret-2'), false);
        storage.events.length = 0;
        await storage.users.setPassword(10, userId, 'secret-2');
        assert.deepEqual(storage.events, [{ hook: 'password', contextId: 10, userId, password: 'secret-2' }]);
        assert.equal(await storage.users.verifyPassword(10, userId, 'secret-1'), false);
        assert.equal(await storage.users.verifyPassword(10, userId, 'secret-2'), true);
        // No local password, unknown user, disabled user: all simply false.
        assert.equal(await storage.users.verifyPassword(10, 2, ''), false);
        assert.equal(await storage.users.verifyPassword(10, 99, 'secret-2'), false);
        await storage.users.update(10, userId, { enabled: false });
        assert.equal(await storage.users.verifyPassword(10, userId, 'secret-2'), false);
        assert.equal(await storage.users.verifyPassword(10, userId, 'secret-2', { includeDisabled: true }), true);
        assert.equal(await storage.users.verifyPassword(10, userId, 'wrong', { includeDisabled: true }), false);
        await storage.users.update(10, userId, { enabled: true });
        await storage.contexts.update(10, { enabled: false });
        assert.equal(await storage.users.verifyPassword(10, userId, 'secret-2'), false);
        assert.equal(await storage.users.verifyPassword(10, userId, 'secret-2', { includeDisabled: true }), true);
        await storage.contexts.update(10, { enabled: true });
        const stored = await storage.database.db.selectFrom('keel_users').select('password_hash').where('context_id', '=', 10).where('id', '=', userId).executeTakeFirstOrThrow();
        assert.match(stored.password_hash, /^\$scrypt\$N=16384,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
        assert.ok(!JSON.stringify(await storage.users.require(10, userId)).includes('scrypt'));
      });

      it('sets and removes user config values', async () => {
        const user = await storage.users.setConfig(10, userId, { set: { 'com.openexchange.x': 'on' } });
        assert.deepEqual(user.config, { 'com.openexchange.x': 'on' });
        assert.deepEqual((await storage.users.setConfig(10, userId, { remove: ['com.openexchange.x'] })).config, {});
      });

      it('lists users by page', async () => {
        assert.deepEqual((await storage.users.list(10)).map((user) => user.login), ['anton', 'berta']);
        assert.deepEqual((await storage.users.list(10, { offset: 1, limit: 5 })).map((user) => user.login), ['berta']);
      });

      it('deletes a user and tells the hooks', async () => {
        const extra = await storage.users.create(10, { login: 'emil', displayName: 'Emil', email: 'emil@example.com' });
        storage.events.length = 0;
        await storage.users.delete(10, extra.id);
        assert.equal(await storage.users.get(10, extra.id), undefined);
        assert.equal(await storage.users.findByMail(10, 'emil@example.com'), undefined);
        assert.deepEqual(storage.events, [{ hook: 'deleted', contextId: 10, userId: extra.id }, { hook: 'changed', contextId: 10, userId: extra.id }]);
        // Ids are never handed out twice, so stale references elsewhere cannot point at a new user.
        assert.equal((await storage.users.create(10, { login: 'emil', displayName: 'Emil', email: 'emil@example.com' })).id, extra.id + 1);
      });

      it('deletes a context with all its users', async () => {
        const context = await storage.contexts.create({ name: 'Doomed', loginMappings: ['doomed.example'] });
        await storage.users.create(context.id, { login: 'u1', displayName: 'U1', email: 'u1@doomed.example' });
        await storage.users.create(context.id, { login: 'u2', displayName: 'U2', email: 'u2@doomed.example', attributes: { a: 'b' } });
        storage.events.length = 0;
        await storage.contexts.delete(context.id);
        assert.equal(await storage.contexts.get(context.id), undefined);
        assert.equal(await storage.users.count(context.id), 0);
        assert.equal(await storage.contexts.findByLoginMapping('doomed.example'), undefined);
        assert.deepEqual(storage.events.filter((event) => event.hook === 'deleted'), [
          { hook: 'deleted', contextId: context.id, userId: 1 },
          { hook: 'deleted', contextId: context.id, userId: 2 },
        ]);
        const leftovers = await storage.database.db.selectFrom('keel_user_attributes').select('name').where('context_id', '=', context.id).execute();
        assert.deepEqual(leftovers, []);
      });

      it('streams 5,000 users in id order, batch by batch', async () => {
        const context = await storage.contexts.create({ name: 'Big' });
        const total = 5000;
        for (let first = 1; first <= total; first += 50) {
          await Promise.all(Array.from({ length: 50 }, (_, index) => {
            const n = first + index;
            return storage.users.create(context.id, { login: `user${n}`, displayName: `User ${n}`, email: `user${n}@big.example`, aliases: [`alias${n}@big.example`] });
          }));
        }
        assert.equal(await storage.users.count(context.id), total);
        let expected = 1;
        let withAlias = 0;
        for await (const user of storage.users.stream(context.id, 700)) {
          assert.equal(user.id, expected);
          if (user.aliases.length === 1 && user.aliases[0] === user.email.replace('user', 'alias')) withAlias += 1;
          expected += 1;
        }
        assert.equal(expected - 1, total);
        assert.equal(withAlias, total);
      });
    });

    describe('default context property', () => {
      it('prefers keel.login.defaultContext over the mapping', async () => {
        const second = await startStorageKernel(target.url, { 'keel.login.defaultContext': '10' });
        try {
          assert.equal((await second.contexts.defaultContext())?.id, 10);
        } finally {
          await second.stop();
        }
      });
    });
  });
}
