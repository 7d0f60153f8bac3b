import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kernel } from '../src/index.js';
import { bootKernel, createInstallation, ref } from './fixtures.js';

// Events each fixture bundle records in a global array, so the test can read what happened inside them.
declare global {
  // eslint-disable-next-line no-var
  var keelEvents: string[];
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('runtime stop/start, trackers, hooks and package-status reload', () => {
  let installation: Awaited<ReturnType<typeof createInstallation>>;
  let kernel: Kernel;

  before(async () => {
    globalThis.keelEvents = [];
    installation = await createInstallation();
    const add = installation.addBundle;
    const hookRef = `import { createHookRef, tapable } from '@keel/plugin-sdk';
      const greetHook = createHookRef({ id: 'demo.greet', create: () => new tapable.SyncWaterfallHook(['text']) });`;
    await add({ name: 'provider', activator: `${hookRef} ${ref('store', 'demo.store')}
      export default defineBundle({ provides: [store], start({ register, hooks }) {
        register(store, { name: 'sql' });
        hooks.get(greetHook).tap('shout', (text) => text + '!');
        globalThis.keelEvents.push('provider:start');
        return () => { globalThis.keelEvents.push('provider:stop'); };
      } });` });
    await add({ name: 'static-dependent', activator: `${ref('store', 'demo.store')}
      export default defineBundle({ requires: { store }, start({ services }) {
        globalThis.keelEvents.push('static:start:' + services.store.name);
        return () => { globalThis.keelEvents.push('static:stop'); };
      } });` });
    await add({ name: 'optional-dependent', activator: `${ref('store', 'demo.store')}
      export default defineBundle({ optional: { store }, start({ services }) {
        services.store.subscribe((event) => globalThis.keelEvents.push('optional:' + event.type + ':' + event.entry.service.name));
      } });` });
    await add({ name: 'hook-caller', activator: `${hookRef} ${ref('caller', 'demo.caller')}
      export default defineBundle({ provides: [caller], start({ register, hooks }) {
        register(caller, { greet: () => hooks.get(greetHook).call('hello') });
      } });` });
    await add({ name: 'switchable', activator: `export default defineBundle({ start() {
        globalThis.keelEvents.push('switchable:start');
        return () => { globalThis.keelEvents.push('switchable:stop'); };
      } });` });
    // A partner bundle outside the installation, found through KEEL_BUNDLE_DIRS, overriding the store by ranking.
    kernel = await bootKernel(installation.root);
  });

  after(async () => {
    await kernel?.stop();
    await installation?.remove();
  });

  const state = (name: string) => kernel.control.bundle(name)?.state;
  const caller = () => kernel.registry.get({ id: 'demo.caller', version: '1.0.0', multiple: false }) as { greet(): string };

  test('everything starts, the optional tracker replays the current provider, hooks run', () => {
    for (const name of ['provider', 'static-dependent', 'optional-dependent', 'hook-caller', 'switchable']) assert.equal(state(name), 'ACTIVE', name);
    assert.ok(keelEvents.includes('static:start:sql'));
    assert.ok(keelEvents.includes('optional:added:sql'));
    assert.equal(caller().greet(), 'hello!');
  });

  test('stopping a provider stops its static dependent; the optional one sees removed; its taps stop running', async () => {
    keelEvents.length = 0;
    await kernel.control.stopBundle('provider');
    assert.equal(state('provider'), 'RESOLVED');
    assert.equal(state('static-dependent'), 'RESOLVED');
    assert.equal(state('optional-dependent'), 'ACTIVE');
    // dependents stop before their provider
    assert.deepEqual(keelEvents.filter((e) => e.endsWith(':stop')), ['static:stop', 'provider:stop']);
    assert.ok(keelEvents.includes('optional:removed:sql'));
    assert.equal(caller().greet(), 'hello', 'the stopped bundle no longer taps the hook');
  });

  test('starting the provider again restarts the static dependent', async () => {
    keelEvents.length = 0;
    await kernel.control.startBundle('provider');
    await until(() => state('static-dependent') === 'ACTIVE', 'static-dependent to restart');
    assert.ok(keelEvents.includes('optional:added:sql'));
    assert.equal(caller().greet(), 'hello!');
    assert.equal((kernel.registry as unknown as { list(): Array<{ id: string }> }).list().filter((s) => s.id === 'demo.store').length, 1, 'no duplicate registrations after restart');
  });

  test('a bundle stopped by the operator stays stopped when its provider comes back', async () => {
    await kernel.control.stopBundle('static-dependent');
    await kernel.control.stopBundle('provider');
    await kernel.control.startBundle('provider');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(state('static-dependent'), 'RESOLVED');
    await kernel.control.startBundle('static-dependent');
    assert.equal(state('static-dependent'), 'ACTIVE');
  });

  test('packages.yml reload disables and re-enables a bundle without a restart', async () => {
    keelEvents.length = 0;
    await installation.writeConfig('packages.yml', 'packages:\n  status:\n    switchable: disabled\n');
    const first = await kernel.control.reload();
    assert.deepEqual(first.stopped, ['switchable']);
    assert.equal(state('switchable'), 'UNINSTALLED');
    assert.equal(kernel.control.bundle('switchable')?.status, 'disabled');
    await installation.writeConfig('packages.yml', 'packages:\n  status:\n    switchable: enabled\n');
    const second = await kernel.control.reload();
    assert.deepEqual(second.started, ['switchable']);
    assert.equal(state('switchable'), 'ACTIVE');
    assert.deepEqual(keelEvents, ['switchable:stop', 'switchable:start']);
  });

  test('a disabled bundle cannot be started by hand', async () => {
    await installation.writeConfig('packages.yml', 'packages:\n  status:\n    switchable: disabled\n');
    await kernel.control.reload();
    await assert.rejects(kernel.control.startBundle('switchable'), { code: 'KEEL-BUNDLE-DISABLED' });
    await assert.rejects(kernel.control.startBundle('nope'), { code: 'KEEL-BUNDLE-UNKNOWN' });
  });
});

describe('partner bundle outside the repository', () => {
  test('is discovered through KEEL_BUNDLE_DIRS and overrides a service by ranking', async () => {
    globalThis.keelEvents = [];
    const installation = await createInstallation();
    const partnerDir = await mkdtemp(join(tmpdir(), 'keel-partner-'));
    try {
      await installation.addBundle({ name: 'default-storage', activator: `${ref('storage', 'contacts.storage', '1.0.0', true)}
        export default defineBundle({ provides: [storage], start({ register }) { register(storage, { name: 'sql' }); } });` });
      await installation.addBundle({ name: 'consumer', activator: `${ref('storage', 'contacts.storage', '1.0.0', true)}
        export default defineBundle({ requires: { storage }, start({ services }) { globalThis.keelEvents.push('consumer sees ' + services.storage.get().name + ' first of ' + services.storage.all().map((s) => s.name).join(',')); } });` });
      // The partner package lives in its own directory with its own package.json, like an npm package built elsewhere.
      await installation.addBundle({ name: 'acme-ldap-storage', version: '2.3.0', activator: `${ref('storage', 'contacts.storage', '1.2.0', true)}
        export default defineBundle({ provides: [storage], start({ register }) { register(storage, { name: 'acme-ldap' }, { ranking: 100 }); } });` }, partnerDir);
      // like `npm install` in the partner package: its own node_modules with the SDK
      await mkdir(join(partnerDir, 'node_modules', '@keel'), { recursive: true });
      await symlink(join(installation.root, 'node_modules', '@keel', 'plugin-sdk'), join(partnerDir, 'node_modules', '@keel', 'plugin-sdk'));
      const kernel = await bootKernel(installation.root, { env: { PATH: process.env.PATH, KEEL_BUNDLE_DIRS: partnerDir } });
      try {
        assert.equal(kernel.control.bundle('acme-ldap-storage')?.state, 'ACTIVE');
        assert.equal(kernel.control.bundle('acme-ldap-storage')?.version, '2.3.0');
        // the consumer starts after every provider of its multiple ref, so it sees the override first
        assert.deepEqual(keelEvents, ['consumer sees acme-ldap first of acme-ldap,sql']);
      } finally {
        await kernel.stop();
      }
    } finally {
      await installation.remove();
      await rm(partnerDir, { recursive: true, force: true });
    }
  });
});
