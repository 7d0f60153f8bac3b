// The cascade's user and context scopes come from storage-sql and follow changes at once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { configScopeProviderRef } from '@keel/plugin-sdk';
import { parseTags } from '../src/config-scope-provider.js';
import { dialectCases, type TestDatabase } from './dialects.js';
import { startStorageKernel, type StorageKernel } from './storage-kernel.js';

const PROPERTY = 'com.openexchange.pns.transport.websocket.enabled';

for (const dialect of await dialectCases()) {
  describe(`config cascade scopes on ${dialect.name}`, { skip: dialect.skip }, () => {
    let target: TestDatabase;
    let storage: StorageKernel;

    before(async () => {
      target = await dialect.create();
      storage = await startStorageKernel(target.url, { [PROPERTY]: 'server-value' });
    });
    after(async () => {
      await storage?.stop();
      await target?.drop();
    });

    it('reads context and user values set with setConfig, most specific first', async () => {
      const context = await storage.contexts.create({ id: 5, name: 'Cascade' });
      const user = await storage.users.create(5, { login: 'cas', displayName: 'Cas', email: 'cas@example.com' });

      // Cached before any change: the directory must invalidate it.
      assert.equal((await storage.cascade.view({ contextId: 5, userId: user.id })).get(PROPERTY), 'server-value');

      await storage.contexts.setConfig(context.id, { set: { [PROPERTY]: 'context-value' } });
      const contextView = await storage.cascade.view({ contextId: 5, userId: user.id });
      assert.equal(contextView.get(PROPERTY), 'context-value');
      assert.equal(contextView.explain(PROPERTY).winner?.scope, 'context');

      await storage.users.setConfig(5, user.id, { set: { [PROPERTY]: 'user-value' } });
      const userView = await storage.cascade.view({ contextId: 5, userId: user.id });
      assert.equal(userView.get(PROPERTY), 'user-value');
      assert.deepEqual(userView.explain(PROPERTY).values.map((value) => value.scope), ['user', 'context', 'server']);
      // A context-wide view does not see user values.
      assert.equal((await storage.cascade.view({ contextId: 5 })).get(PROPERTY), 'context-value');

      await storage.users.setConfig(5, user.id, { remove: [PROPERTY] });
      assert.equal((await storage.cascade.view({ contextId: 5, userId: user.id })).get(PROPERTY), 'context-value');
      await storage.contexts.setConfig(5, { remove: [PROPERTY] });
      assert.equal((await storage.cascade.view({ contextId: 5, userId: user.id })).get(PROPERTY), 'server-value');
    });

    it('sees a context created after the cascade looked it up', async () => {
      assert.equal((await storage.cascade.view({ contextId: 6 })).get('x.y'), undefined);
      await storage.contexts.create({ id: 6, name: 'Late' });
      await storage.contexts.setConfig(6, { set: { 'x.y': 'z' } });
      assert.equal((await storage.cascade.view({ contextId: 6 })).get('x.y'), 'z');
    });

    it('gives the context tags from taxonomy/types', async () => {
      await storage.contexts.create({ id: 7, name: 'Tagged', attributes: { 'taxonomy/types': 'gold, eu  beta', 'Config/not-config': 'free' } });
      await storage.contexts.setConfig(7, { set: { 'a.b': 'c' } });
      const [provider] = storage.kernel.getAll(configScopeProviderRef);
      const scope = await provider!.loadContext(7);
      assert.deepEqual(scope?.tags, ['gold', 'eu', 'beta']);
      assert.deepEqual([...(scope?.properties ?? [])], [['a.b', 'c']]);
      assert.equal(await provider!.loadContext(404), undefined);
      assert.equal(await provider!.loadUser(7, 404), undefined);
    });
  });
}

describe('parseTags', () => {
  it('splits on commas and white space', () => {
    assert.deepEqual(parseTags(' a,b  c,,d '), ['a', 'b', 'c', 'd']);
    assert.deepEqual(parseTags(undefined), []);
  });
});
