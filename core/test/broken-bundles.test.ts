import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kernel } from '../src/index.js';
import { bootKernel, createInstallation, ref } from './fixtures.js';

// A corpus of broken bundles next to good ones: each broken one reports its stable code and a
// message naming what to fix, and every good bundle still starts.
describe('broken bundles', () => {
  let installation: Awaited<ReturnType<typeof createInstallation>>;
  let kernel: Kernel;

  before(async () => {
    installation = await createInstallation();
    const add = installation.addBundle;
    // good bundles
    await add({ name: 'good-provider', activator: `${ref('greeting', 'demo.greeting')}
      export default defineBundle({ provides: [greeting], start({ register }) { register(greeting, { hello: () => 'hi' }); } });` });
    await add({ name: 'good-consumer', activator: `${ref('greeting', 'demo.greeting')}
      export default defineBundle({ requires: { greeting }, start({ services }) { if (services.greeting.hello() !== 'hi') throw new Error('wrong'); } });` });
    // 1. package.json that is not JSON
    await add({ name: 'bad-json', rawPackageJson: '{ "name": "bad-json", "keel": { ' });
    // 2. unknown manifest key
    await add({ name: 'unknown-key', keel: { activatr: './index.js' }, activator: 'export default defineBundle({ start() {} });' });
    // 3. activator file missing
    await add({ name: 'missing-activator', keel: { activator: './dist/nowhere.js' } });
    // 4. activator that does not export a bundle
    await add({ name: 'not-a-bundle', activator: 'export default { start() {} };' });
    // 5. SDK range not satisfied
    await add({ name: 'sdk-range', sdkRange: '^2.0.0', activator: 'export default defineBundle({ start() {} });' });
    // 6. required service nobody provides
    await add({ name: 'missing-service', activator: `${ref('mail', 'mail.access')}
      export default defineBundle({ requires: { mail }, start() {} });` });
    // 7. required service only provided out of range
    await add({ name: 'old-contacts', activator: `${ref('contacts', 'contacts.storage', '1.4.0')}
      export default defineBundle({ provides: [contacts], start({ register }) { register(contacts, {}); } });` });
    await add({ name: 'range-consumer', activator: `${ref('contacts', 'contacts.storage', '2.0.0')}
      export default defineBundle({ requires: { contacts }, start() {} });` });
    // 8. a cycle of three
    for (const [name, provides, requires] of [['cycle-a', 'cyc.a', 'cyc.b'], ['cycle-b', 'cyc.b', 'cyc.c'], ['cycle-c', 'cyc.c', 'cyc.a']] as const) {
      await add({ name, activator: `${ref('mine', provides)} ${ref('theirs', requires)}
        export default defineBundle({ provides: [mine], requires: { theirs }, start({ register }) { register(mine, {}); } });` });
    }
    // 9. start that throws, and a dependent of it
    await add({ name: 'start-throws', activator: `${ref('db', 'demo.database')}
      export default defineBundle({ provides: [db], start() { throw new Error('cannot connect to db.example:3306'); } });` });
    await add({ name: 'throws-dependent', activator: `${ref('db', 'demo.database')}
      export default defineBundle({ requires: { db }, start() {} });` });
    // 10. start that never resolves
    await add({ name: 'start-hangs', activator: 'export default defineBundle({ start: () => new Promise(() => {}) });' });
    // 11. stop that throws
    await add({ name: 'stop-throws', activator: `export default defineBundle({ start() { return () => { throw new Error('stop exploded'); }; } });` });
    // 12. duplicate bundle name (second package with the name of a good bundle)
    await add({ dir: 'zz-duplicate', name: 'good-provider', activator: 'export default defineBundle({ start() {} });' });
    // 13. registers a service it did not declare
    await add({ name: 'undeclared', activator: `${ref('secret', 'demo.secret')}
      export default defineBundle({ start({ register }) { register(secret, {}); } });` });
    // 14. no peerDependencies on the SDK
    await add({ name: 'no-peer', sdkRange: null, activator: 'export default defineBundle({ start() {} });' });
    // 15. activator with a syntax error
    await add({ name: 'syntax-error', activator: 'export default defineBundle({ start() { ' });
    kernel = await bootKernel(installation.root);
  });

  after(async () => {
    await kernel?.stop();
    await installation?.remove();
  });

  const info = (name: string) => {
    const bundle = kernel.control.bundle(name);
    assert.ok(bundle, `bundle ${name} is reported`);
    return bundle;
  };

  const expectError = (name: string, code: string, ...fragments: Array<string | RegExp>) => {
    const bundle = info(name);
    assert.notEqual(bundle.state, 'ACTIVE', `${name} must not be active`);
    assert.equal(bundle.error?.code, code, `${name}: ${JSON.stringify(bundle.error)}`);
    for (const fragment of fragments) assert.match(bundle.error!.message, typeof fragment === 'string' ? new RegExp(escape(fragment)) : fragment);
  };

  test('good bundles start', () => {
    assert.equal(info('good-provider').state, 'ACTIVE');
    assert.equal(info('good-consumer').state, 'ACTIVE');
  });

  test('1. bad JSON', () => {
    const broken = kernel.control.bundles().find((b) => b.error?.code === 'KEEL-BUNDLE-MANIFEST' && b.error.message.includes('not valid JSON'));
    assert.ok(broken, 'a bundle reports invalid JSON');
    assert.match(broken.error!.message, /bad-json[/\\]package\.json/);
  });
  test('2. unknown manifest key', () => {
    const broken = kernel.control.bundles().find((b) => b.error?.message.includes('"keel.activatr"'));
    assert.equal(broken?.error?.code, 'KEEL-BUNDLE-MANIFEST');
    assert.match(broken!.error!.message, /unknown-key[/\\]package\.json has an invalid manifest: unknown key "keel.activatr"; allowed: bundle, aliases, activator/);
  });
  test('3. missing activator', () => expectError('missing-activator', 'KEEL-BUNDLE-ACTIVATOR', "Bundle 'missing-activator' could not load its activator", 'nowhere.js', 'file not found'));
  test('4. activator without a bundle', () => expectError('not-a-bundle', 'KEEL-BUNDLE-ACTIVATOR', 'is not the result of defineBundle'));
  test('5. SDK range', () => expectError('sdk-range', 'KEEL-SDK-RANGE', "Bundle 'sdk-range' was built for @keel/plugin-sdk ^2.0.0 but this kernel provides 1.", 'sdk-range/package.json'));
  test('6. missing service', () => expectError('missing-service', 'KEEL-SERVICE-MISSING', "requires service 'mail.access@^1.0.0' but no enabled bundle provides it"));
  test('7. service out of range', () => expectError('range-consumer', 'KEEL-SERVICE-RANGE', "requires service 'contacts.storage@^2.0.0' but it is only provided at 1.4.0 by 'old-contacts'"));
  test('8. cycle of three', () => {
    for (const name of ['cycle-a', 'cycle-b', 'cycle-c']) expectError(name, 'KEEL-BUNDLE-CYCLE', 'cycle-a -> cycle-b -> cycle-c -> cycle-a');
  });
  test('9. start that throws, and its dependent', () => {
    expectError('start-throws', 'KEEL-BUNDLE-START', "Bundle 'start-throws' failed to start: cannot connect to db.example:3306");
    assert.equal(info('start-throws').state, 'RESOLVED');
    expectError('throws-dependent', 'KEEL-BUNDLE-DEPENDENCY', "dependency 'start-throws' is not active (KEEL-BUNDLE-START)");
  });
  test('10. start that never resolves', () => {
    expectError('start-hangs', 'KEEL-BUNDLE-START-TIMEOUT', 'did not finish starting within 1000 ms');
    assert.equal(info('start-hangs').state, 'RESOLVED');
  });
  test('11. stop that throws', async () => {
    assert.equal(info('stop-throws').state, 'ACTIVE');
    const stopped = await kernel.control.stopBundle('stop-throws');
    assert.equal(stopped.state, 'RESOLVED');
    assert.equal(stopped.error?.code, 'KEEL-BUNDLE-STOP');
    assert.match(stopped.error!.message, /stop exploded/);
  });
  test('12. duplicate bundle name', () => {
    const broken = kernel.control.bundles().find((b) => b.error?.code === 'KEEL-BUNDLE-DUPLICATE');
    assert.ok(broken);
    assert.match(broken.error!.message, /Bundle name 'good-provider' is declared by both .*good-provider[/\\]package\.json and .*zz-duplicate[/\\]package\.json/);
  });
  test('13. undeclared registration', () => expectError('undeclared', 'KEEL-SERVICE-UNDECLARED', "registered service 'demo.secret@1.0.0' which is not listed in its provides"));
  test('14. no SDK peer dependency', () => {
    const broken = kernel.control.bundles().find((b) => b.error?.message.includes('no-peer'));
    assert.equal(broken?.error?.code, 'KEEL-BUNDLE-MANIFEST');
    assert.match(broken!.error!.message, /peerDependencies/);
  });
  test('15. activator with a syntax error', () => expectError('syntax-error', 'KEEL-BUNDLE-ACTIVATOR', "Bundle 'syntax-error' could not load its activator"));
  test('health says degraded and the server answers', async () => {
    const address = kernel.address()!;
    const response = await fetch(`http://${address.host}:${address.port}/health`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { status: string; bundles: Record<string, number> };
    assert.equal(body.status, 'degraded');
    assert.ok((body.bundles.ACTIVE ?? 0) >= 2);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
