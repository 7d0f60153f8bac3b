import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BundleInfo } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import admin from '../src/index.js';
import { hashPassword } from '../src/password-hash.js';
import { basic, call, loadBundle } from './support.js';

const MASTER = 'master-secret: with colon';

describe('admin: kernel REST API behind the master admin', () => {
  let kernel: TestKernel;
  const auth = basic('oxadminmaster', MASTER);

  before(async () => {
    delete process.env['KEEL_MASTER_PASSWORD'];
    kernel = await startTestKernel({
      bundles: {
        'storage-sql': await loadBundle('storage-sql'),
        auth: await loadBundle('auth'),
        'auth-database': await loadBundle('auth-database'),
        sessiond: await loadBundle('sessiond'),
        admin,
      },
      files: { mpasswd: `# master admin\nsomeoneelse:{PLAIN}nope\noxadminmaster:${await hashPassword(MASTER)}\n` },
      properties: { 'keel.admin.failureDelayMs': '1', 'keel.admin.maxFailures': '50' },
    });
  });

  after(async () => {
    await kernel?.stop();
  });

  it('asks for Basic credentials and refuses a wrong master password with 401', async () => {
    const anonymous = await call(kernel.url, 'GET', '/admin/v1/bundles');
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic realm="Keel admin"/);
    assert.equal(anonymous.body['code'], 'ADM-0001');

    const wrong = await call(kernel.url, 'GET', '/admin/v1/bundles', basic('oxadminmaster', 'guess'));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body['code'], 'ADM-0001');
    assert.match(wrong.headers.get('www-authenticate') ?? '', /Basic realm="Keel admin"/);

    const wrongLogin = await call(kernel.url, 'GET', '/admin/v1/bundles', basic('someoneelse', 'nope'));
    assert.equal(wrongLogin.status, 401);
  });

  it('lists bundles and one bundle', async () => {
    const list = await call(kernel.url, 'GET', '/admin/v1/bundles', auth);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    const bundles = list.body['bundles'] as BundleInfo[];
    assert.deepEqual(bundles.map((b) => b.name).sort(), ['admin', 'auth', 'auth-database', 'sessiond', 'storage-sql']);
    assert.ok(bundles.every((b) => b.state === 'ACTIVE'));

    const one = await call(kernel.url, 'GET', '/admin/v1/bundles/sessiond', auth);
    assert.equal(one.body['name'], 'sessiond');
    assert.ok((one.body['provides'] as string[]).some((id) => id.startsWith('sessions.service')));

    const missing = await call(kernel.url, 'GET', '/admin/v1/bundles/no-such-bundle', auth);
    assert.equal(missing.status, 404);
    assert.equal(missing.body['code'], 'ADM-0004');
  });

  it('lists the registered services', async () => {
    const services = (await call(kernel.url, 'GET', '/admin/v1/services', auth)).body['services'] as Array<{ id: string; bundle: string }>;
    assert.ok(services.some((s) => s.id === 'admin.auth' && s.bundle === 'admin'));
    assert.ok(services.some((s) => s.id === 'sessions.service' && s.bundle === 'sessiond'));
  });

  it('stops and starts a bundle at runtime', async () => {
    const stopped = await call(kernel.url, 'POST', '/admin/v1/bundles/auth/stop', auth);
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    assert.equal(stopped.body['state'], 'RESOLVED');
    // sessiond requires the authentication service: it went down with it.
    assert.equal(kernel.bundle('sessiond')?.state, 'RESOLVED');
    const login = await fetch(`${kernel.url}/appsuite/api/login?action=login`, { method: 'POST', body: new URLSearchParams({ name: 'x', password: 'y' }) });
    assert.equal(login.status, 503);

    const started = await call(kernel.url, 'POST', '/admin/v1/bundles/sessiond/start', auth);
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body['state'], 'ACTIVE');
    assert.equal(kernel.bundle('auth')?.state, 'ACTIVE', 'what sessiond needs was started too');
  });

  it('refuses to stop the admin bundle through its own API', async () => {
    const answer = await call(kernel.url, 'POST', '/admin/v1/bundles/admin/stop', auth);
    assert.equal(answer.status, 409);
    assert.equal(answer.body['code'], 'ADM-0003');
    assert.equal(kernel.bundle('admin')?.state, 'ACTIVE');
  });

  it('reloads the configuration', async () => {
    const answer = await call(kernel.url, 'POST', '/admin/v1/reload', auth);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, { started: [], stopped: [] });
  });
});

describe('admin: brute-force protection', () => {
  let kernel: TestKernel;

  before(async () => {
    delete process.env['KEEL_MASTER_PASSWORD'];
    kernel = await startTestKernel({
      bundles: { admin },
      files: { mpasswd: 'oxadminmaster:{PLAIN}plain-master\n' },
      properties: { 'keel.admin.maxFailures': '3', 'keel.admin.failureDelayMs': '1' },
    });
  });

  after(async () => {
    await kernel?.stop();
  });

  it('accepts a {PLAIN} entry and locks an address out after repeated failures', async () => {
    assert.equal((await call(kernel.url, 'GET', '/admin/v1/bundles', basic('oxadminmaster', 'plain-master'))).status, 200);
    for (let attempt = 1; attempt < 3; attempt++) {
      assert.equal((await call(kernel.url, 'GET', '/admin/v1/bundles', basic('oxadminmaster', `guess-${attempt}`))).status, 401);
    }
    const third = await call(kernel.url, 'GET', '/admin/v1/bundles', basic('oxadminmaster', 'guess-3'));
    assert.equal(third.status, 429);
    assert.equal(third.body['code'], 'ADM-0002');
    const locked = await call(kernel.url, 'GET', '/admin/v1/bundles', basic('oxadminmaster', 'plain-master'));
    assert.equal(locked.status, 429, 'the right password does not lift the lockout');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
  });
});
