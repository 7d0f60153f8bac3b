import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKeelError, type ConfigScopeProvider } from '@keel/plugin-sdk';
import { createConfigCascade } from './config-cascade.js';
import { loadServerConfig } from './server-config.js';

const root = await mkdtemp(join(tmpdir(), 'keel-cascade-'));
after(() => rm(root, { recursive: true, force: true }));

let counter = 0;
async function configDir(files: Record<string, string>): Promise<string> {
  const dir = join(root, `c${++counter}`);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

/** A scope provider over plain maps, the way a storage bundle answers from its tables; counts its loads. */
class MapScopeProvider implements ConfigScopeProvider {
  readonly contexts = new Map<number, { properties: Map<string, string>; tags: string[] }>();
  readonly users = new Map<string, Map<string, string>>();
  contextLoads = 0;
  userLoads = 0;
  failNext = false;

  context(contextId: number, properties: Record<string, string>, tags: string[] = []): this {
    this.contexts.set(contextId, { properties: new Map(Object.entries(properties)), tags });
    return this;
  }

  user(contextId: number, userId: number, properties: Record<string, string>): this {
    this.users.set(`${contextId}/${userId}`, new Map(Object.entries(properties)));
    return this;
  }

  async loadContext(contextId: number) {
    this.contextLoads++;
    await Promise.resolve();
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database down');
    }
    return this.contexts.get(contextId);
  }

  async loadUser(contextId: number, userId: number) {
    this.userLoads++;
    await Promise.resolve();
    return this.users.get(`${contextId}/${userId}`);
  }
}

function keelCode(code: string, pattern?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(isKeelError(error), `expected a KeelError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

async function setup(files: Record<string, string>, providers: ConfigScopeProvider[], options: { cacheTtlMs?: number; cacheSize?: number; clock?: () => number } = {}) {
  const dir = await configDir(files);
  const config = await loadServerConfig({ directory: dir, dataDirectory: root, env: {} });
  const cascade = createConfigCascade({ config, providers: () => providers, ...options });
  return { dir, config, cascade };
}

const SETS = [
  'premium:',
  '  withTags: "premium & !trial"',
  '  p: sets',
  '  q: sets',
  '  shared: from-premium',
  'alpha:',
  '  withTags: premium | beta',
  '  shared: from-alpha',
  '  only.alpha: yes',
  '  list: [a, b]',
  '  flag: TRUE',
  '  n: 7',
].join('\n');

test('precedence: user → context → context sets → server', async () => {
  const provider = new MapScopeProvider()
    .context(1, { p: 'context', q: 'context', r: 'context' }, ['premium'])
    .user(1, 5, { p: 'user' });
  const { cascade } = await setup({ 'p.properties': 'p=server\nq=server\nr=server\ns=server', 'contextSets/sets.yml': SETS }, [provider]);
  const view = await cascade.view({ contextId: 1, userId: 5 });
  assert.equal(view.get('p'), 'user');
  assert.equal(view.get('q'), 'context');
  assert.equal(view.get('r'), 'context');
  assert.equal(view.get('s'), 'server');
  assert.equal(view.get('only.alpha'), 'yes');
  assert.equal(view.get('nothing'), undefined);
  assert.deepEqual(view.subject, { contextId: 1, userId: 5 });
  assert.deepEqual(view.explain('p'), {
    winner: { scope: 'user', value: 'user' },
    values: [
      { scope: 'user', value: 'user' },
      { scope: 'context', value: 'context' },
      { scope: 'contextSets', value: 'sets', source: 'premium' },
      { scope: 'server', value: 'server' },
    ],
  });
  assert.deepEqual(view.explain('nothing'), { values: [] });

  const contextView = await cascade.view({ contextId: 1 });
  assert.equal(contextView.get('p'), 'context');
  assert.deepEqual(contextView.subject, { contextId: 1 });

  // A user without attributes, in a context without attributes but with tags: sets, then server.
  provider.context(2, {}, ['premium']);
  const plain = await cascade.view({ contextId: 2, userId: 9 });
  assert.equal(plain.get('p'), 'sets');
  assert.equal(plain.get('s'), 'server');
});

test('context sets: tag expressions decide, and the set whose name sorts first wins a conflict', async () => {
  const provider = new MapScopeProvider()
    .context(1, {}, ['premium'])
    .context(2, {}, ['premium', 'trial'])
    .context(3, {}, ['beta'])
    .context(4, {}, ['other']);
  const { cascade } = await setup({ 'p.properties': 'shared=server', 'contextSets/sets.yml': SETS }, [provider]);
  const premium = await cascade.view({ contextId: 1 });
  assert.equal(premium.get('shared'), 'from-alpha'); // alpha < premium, both match
  assert.equal(premium.get('p'), 'sets');
  assert.deepEqual(premium.explain('shared').winner, { scope: 'contextSets', value: 'from-alpha', source: 'alpha' });
  const trial = await cascade.view({ contextId: 2 });
  assert.equal(trial.get('p'), undefined); // premium & !trial does not match
  assert.equal(trial.get('shared'), 'from-alpha');
  const beta = await cascade.view({ contextId: 3 });
  assert.equal(beta.get('only.alpha'), 'yes');
  const other = await cascade.view({ contextId: 4 });
  assert.equal(other.get('shared'), 'server');
  // Set values are typed through the same strict conversions.
  assert.deepEqual(premium.getList('list'), ['a', 'b']);
  assert.equal(premium.getBoolean('flag', false), true);
  assert.equal(premium.getNumber('n', 0), 7);
});

test('the set order is by name, not by file order', async () => {
  const provider = new MapScopeProvider().context(1, {}, ['x']);
  const { cascade } = await setup({
    'contextSets/a.yml': 'zeta:\n  withTags: x\n  v: zeta\n',
    'contextSets/b.yml': 'beta:\n  withTags: x\n  v: beta\n',
  }, [provider]);
  assert.equal((await cascade.view({ contextId: 1 })).get('v'), 'beta');
});

test('without providers the cascade is the server scope (and sets that match no tags)', async () => {
  const { cascade } = await setup({
    'p.properties': 'a=server',
    'contextSets/s.yml': 'nobeta:\n  withTags: "!beta"\n  b: set\nbeta:\n  withTags: beta\n  a: set\n',
  }, []);
  const view = await cascade.view({ contextId: 1, userId: 2 });
  assert.equal(view.get('a'), 'server');
  assert.equal(view.get('b'), 'set');
});

test('user and context scopes come from all providers: the first with an answer wins', async () => {
  const first = new MapScopeProvider().context(2, { a: 'first' }).user(1, 1, { u: 'first' });
  const second = new MapScopeProvider().context(1, { a: 'second' }).context(2, { a: 'second' }).user(1, 1, { u: 'second' }).user(1, 2, { u: 'second' });
  const { cascade } = await setup({}, [first, second]);
  assert.equal((await cascade.view({ contextId: 1, userId: 1 })).get('a'), 'second');
  assert.equal((await cascade.view({ contextId: 1, userId: 1 })).get('u'), 'first');
  assert.equal((await cascade.view({ contextId: 1, userId: 2 })).get('u'), 'second');
  assert.equal((await cascade.view({ contextId: 2 })).get('a'), 'first');
});

test('final at server: the server value wins over every other scope', async () => {
  const provider = new MapScopeProvider().context(1, { p: 'context', q: 'context' }, ['premium']).user(1, 5, { p: 'user', q: 'user' });
  const { cascade } = await setup({
    'p.properties': 'p=server',
    'contextSets/sets.yml': SETS,
    'meta/final.yml': 'p:\n  final: server\n  protected: true\nq:\n  final: server\nunrelated: 1\n',
  }, [provider]);
  const view = await cascade.view({ contextId: 1, userId: 5 });
  assert.equal(view.get('p'), 'server');
  assert.deepEqual(view.explain('p').winner, { scope: 'server', value: 'server' });
  assert.equal(view.explain('p').finalAt, 'server');
  // q is final at server, but the server has no value: the ordinary cascade applies.
  assert.equal(view.get('q'), 'user');
  assert.equal(view.explain('q').finalAt, 'server');
});

test('final at contextSets and at context', async () => {
  const provider = new MapScopeProvider().context(1, { p: 'context', c: 'context' }, ['premium']).user(1, 5, { p: 'user', c: 'user' });
  const { cascade } = await setup({
    'p.properties': 'p=server\nc=server',
    'contextSets/sets.yml': SETS,
    'meta/a.yml': 'p:\n  final: contextSets\n',
    'meta/b.yml': 'c:\n  final: context\n',
  }, [provider]);
  const view = await cascade.view({ contextId: 1, userId: 5 });
  assert.equal(view.get('p'), 'sets');
  assert.deepEqual(view.explain('p').winner, { scope: 'contextSets', value: 'sets', source: 'premium' });
  assert.equal(view.explain('p').finalAt, 'contextSets');
  assert.equal(view.get('c'), 'context');
  assert.equal(view.explain('c').finalAt, 'context');
  assert.equal(view.explain('c').values.length, 3);
});

test('switchFor tries base.s1.s2, then base.s1, then base, each through the whole cascade', async () => {
  const base = 'com.openexchange.pns.transport.websocket.enabled';
  const provider = new MapScopeProvider()
    .context(1, {})
    .user(1, 1, { [`${base}.open-xchange-appsuite`]: 'False' })
    .user(1, 2, { [`${base}`]: 'false' });
  const { cascade } = await setup({
    // `:` separates in .properties, so topics in keys are escaped, as in the middleware's own files.
    'p.properties': `${base}=true\n${base}.open-xchange-appsuite.ox\\:mail\\:new=TRUE\n${base}.broken=maybe`,
  }, [provider]);
  const user1 = await cascade.view({ contextId: 1, userId: 1 });
  // The most specific name wins even though a less specific one is set at a more specific scope.
  assert.equal(user1.switchFor(base, false, 'open-xchange-appsuite', 'ox:mail:new'), true);
  assert.equal(user1.switchFor(base, true, 'open-xchange-appsuite', 'ox:calendar:updates'), false);
  assert.equal(user1.switchFor(base, false, 'other-client', 'ox:mail:new'), true);
  assert.equal(user1.switchFor(base, false), true);
  const user2 = await cascade.view({ contextId: 1, userId: 2 });
  assert.equal(user2.switchFor(base, true, 'other-client', 'ox:mail:new'), false);
  assert.equal(user2.switchFor('unset.switch', true, 'a', 'b'), true);
  assert.equal(user2.switchFor('unset.switch', false, 'a', 'b'), false);
  assert.throws(() => user2.switchFor(base, true, 'broken'), keelCode('KEEL-CONFIG-VALUE', new RegExp(`Property '${base}\\.broken' \\(from .*p\\.properties:3\\)`)));
});

test('strict typed getters name the scope that gave a bad value', async () => {
  const provider = new MapScopeProvider().context(1, { c: 'nope' }, ['premium']).user(1, 5, { u: '1.5' });
  const { cascade } = await setup({ 'contextSets/sets.yml': 'bad:\n  withTags: premium\n  s: x\n' }, [provider]);
  const view = await cascade.view({ contextId: 1, userId: 5 });
  assert.throws(() => view.getNumber('u', 0), keelCode('KEEL-CONFIG-VALUE', /Property 'u' \(from user 5 in context 1\) has value '1\.5', expected a whole number/));
  assert.throws(() => view.getBoolean('c', false), keelCode('KEEL-CONFIG-VALUE', /from context 1\)/));
  assert.throws(() => view.getBoolean('s', false), keelCode('KEEL-CONFIG-VALUE', /from context set 'bad' \(.*sets\.yml\)/));
  assert.equal(view.getBoolean('missing', true), true);
  assert.deepEqual(view.getList('missing', ['d']), ['d']);
});

test('provider answers are cached per subject until the TTL passes', async () => {
  let now = 0;
  const provider = new MapScopeProvider().context(1, { a: '1' }).user(1, 1, { u: '1' });
  const { cascade } = await setup({}, [provider], { cacheTtlMs: 1000, clock: () => now });
  await cascade.view({ contextId: 1, userId: 1 });
  await cascade.view({ contextId: 1, userId: 1 });
  await cascade.view({ contextId: 1 });
  assert.equal(provider.contextLoads, 1);
  assert.equal(provider.userLoads, 1);
  provider.user(1, 1, { u: '2' });
  assert.equal((await cascade.view({ contextId: 1, userId: 1 })).get('u'), '1');
  now = 1000;
  assert.equal((await cascade.view({ contextId: 1, userId: 1 })).get('u'), '2');
  assert.equal(provider.contextLoads, 2);
  assert.equal(provider.userLoads, 2);
});

test('concurrent views of one subject share one load; a failed load is not cached', async () => {
  const provider = new MapScopeProvider().context(1, { a: '1' });
  const { cascade } = await setup({}, [provider]);
  const views = await Promise.all([cascade.view({ contextId: 1 }), cascade.view({ contextId: 1 }), cascade.view({ contextId: 1 })]);
  assert.deepEqual(views.map((v) => v.get('a')), ['1', '1', '1']);
  assert.equal(provider.contextLoads, 1);
  provider.failNext = true;
  cascade.invalidate();
  await assert.rejects(cascade.view({ contextId: 1 }), /database down/);
  assert.equal((await cascade.view({ contextId: 1 })).get('a'), '1');
  assert.equal(provider.contextLoads, 3);
});

test('the cache is bounded: the least recently used subject is dropped', async () => {
  const provider = new MapScopeProvider();
  const { cascade } = await setup({}, [provider], { cacheSize: 2 });
  await cascade.view({ contextId: 1 });
  await cascade.view({ contextId: 2 });
  await cascade.view({ contextId: 1 });
  await cascade.view({ contextId: 3 }); // evicts 2
  assert.equal(provider.contextLoads, 3);
  await cascade.view({ contextId: 1 });
  assert.equal(provider.contextLoads, 3);
  await cascade.view({ contextId: 2 });
  assert.equal(provider.contextLoads, 4);
});

test('invalidate drops a user, a context with its users, or everything', async () => {
  const provider = new MapScopeProvider().context(1, { a: 'old' }).context(2, {}).user(1, 1, { u: 'old' }).user(1, 2, {}).user(2, 1, {});
  const { cascade } = await setup({}, [provider]);
  const warm = async () => {
    await cascade.view({ contextId: 1, userId: 1 });
    await cascade.view({ contextId: 1, userId: 2 });
    await cascade.view({ contextId: 2, userId: 1 });
  };
  await warm();
  assert.deepEqual([provider.contextLoads, provider.userLoads], [2, 3]);

  provider.user(1, 1, { u: 'new' });
  cascade.invalidate({ contextId: 1, userId: 1 });
  assert.equal((await cascade.view({ contextId: 1, userId: 1 })).get('u'), 'new');
  await warm();
  assert.deepEqual([provider.contextLoads, provider.userLoads], [2, 4]);

  provider.context(1, { a: 'new' });
  cascade.invalidate({ contextId: 1 });
  await warm();
  assert.deepEqual([provider.contextLoads, provider.userLoads], [3, 6]); // context 1 and both its users
  assert.equal((await cascade.view({ contextId: 1 })).get('a'), 'new');

  cascade.invalidate();
  await warm();
  assert.deepEqual([provider.contextLoads, provider.userLoads], [5, 9]);
});

test('providers registered later are asked on the next load', async () => {
  const providers: ConfigScopeProvider[] = [];
  const dir = await configDir({ 'p.properties': 'a=server' });
  const config = await loadServerConfig({ directory: dir, dataDirectory: root, env: {} });
  const cascade = createConfigCascade({ config, providers: () => providers });
  assert.equal((await cascade.view({ contextId: 1 })).get('a'), 'server');
  providers.push(new MapScopeProvider().context(1, { a: 'context' }));
  assert.equal((await cascade.view({ contextId: 1 })).get('a'), 'context');
});

test('a config reload re-reads context sets and meta and drops cached subjects', async () => {
  const provider = new MapScopeProvider().context(1, { p: 'context' }, ['x']);
  const { dir, config, cascade } = await setup({ 'contextSets/s.yml': 'one:\n  withTags: x\n  v: one\n' }, [provider]);
  assert.equal((await cascade.view({ contextId: 1 })).get('v'), 'one');
  await writeFile(join(dir, 'contextSets', 's.yml'), 'one:\n  withTags: x\n  v: two\n  p: set\n');
  await writeFile(join(dir, 'meta.yml'), 'ignored: {final: server}\n');
  await mkdir(join(dir, 'meta'));
  await writeFile(join(dir, 'meta', 'm.yml'), 'p: {final: contextSets}\n');
  assert.equal((await cascade.view({ contextId: 1 })).get('v'), 'one');
  await config.reload();
  const view = await cascade.view({ contextId: 1 });
  assert.equal(view.get('v'), 'two');
  assert.equal(view.get('p'), 'set');
  assert.equal(provider.contextLoads, 2);
});

test('a broken context-set file on reload keeps the previous sets', async () => {
  const provider = new MapScopeProvider().context(1, {}, ['x']);
  const { dir, cascade } = await setup({ 'contextSets/s.yml': 'one:\n  withTags: x\n  v: one\n' }, [provider]);
  await writeFile(join(dir, 'contextSets', 's.yml'), 'one:\n  withTags: "x &"\n');
  await assert.rejects(cascade.reload(), keelCode('KEEL-CONFIG-TAG-EXPRESSION'));
  assert.equal((await cascade.view({ contextId: 1 })).get('v'), 'one');
});

test('invalid context-set and meta files name file, line and what is wrong', async () => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ 'contextSets/s.yml': 'ok:\n  withTags: a\nbad:\n  withTags: "a & (b | !c"\n' }, 'KEEL-CONFIG-TAG-EXPRESSION',
      /Context set 'bad' in .*s\.yml has an invalid withTags expression 'a & \(b \| !c': expected '\)' at position 12/],
    [{ 'contextSets/s.yml': 'nowith:\n  p: 1\n' }, 'KEEL-CONFIG-YAML', /s\.yml is invalid at line 1: context set 'nowith' has no withTags expression/],
    [{ 'contextSets/a.yml': 'one:\n  withTags: a\n', 'contextSets/b.yml': '\n\none:\n  withTags: b\n' }, 'KEEL-CONFIG-YAML',
      /b\.yml is invalid at line 3: context set 'one' is already defined in .*a\.yml/],
    [{ 'contextSets/s.yml': 'one: just text\n' }, 'KEEL-CONFIG-YAML', /line 1: context set 'one' must be a mapping/],
    [{ 'contextSets/s.yml': 'one:\n  withTags: a\n  nested:\n    deeper: 1\n' }, 'KEEL-CONFIG-YAML', /line 4: property 'nested' of context set 'one' must be a single value/],
    [{ 'contextSets/s.yml': '- a\n- b\n' }, 'KEEL-CONFIG-YAML', /top level must be a mapping/],
    [{ 'contextSets/s.yml': 'one:\n  withTags: [a\n' }, 'KEEL-CONFIG-YAML', /s\.yml is invalid at line \d+: /],
    [{ 'meta/m.yml': 'a:\n  final: server\nb:\n  final: user\n' }, 'KEEL-CONFIG-YAML', /m\.yml is invalid at line 4: final of 'b' must be server, contextSets or context, not 'user'/],
  ];
  for (const [files, code, message] of cases) {
    const dir = await configDir(files);
    const config = await loadServerConfig({ directory: dir, dataDirectory: root, env: {} });
    assert.throws(() => createConfigCascade({ config, providers: () => [] }), keelCode(code, message), JSON.stringify(files));
  }
});

test('empty context-set and meta files are fine', async () => {
  const { cascade } = await setup({ 'contextSets/empty.yml': '', 'meta/empty.yml': '# nothing\n', 'p.properties': 'a=1' }, []);
  assert.equal((await cascade.view({ contextId: 1 })).get('a'), '1');
});
