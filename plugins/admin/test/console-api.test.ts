import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { contextServiceRef, userServiceRef } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import admin from '../src/index.js';
import { basic, call, figuresBundle, loadBundle } from './support.js';

const MASTER = 'console-master';

describe('admin console: routes over HTTP with the real kernel', () => {
  let kernel: TestKernel;
  const auth = basic('oxadminmaster', MASTER);
  const counter = { ticks: 1 };
  let contextId = 0;
  let userId = 0;

  before(async () => {
    delete process.env['KEEL_MASTER_PASSWORD'];
    kernel = await startTestKernel({
      bundles: {
        'storage-sql': await loadBundle('storage-sql'),
        admin,
        figures: figuresBundle(counter, 'test-figures', 'keel_test_ticks_total', [{ name: 'broken-figures', collect: () => { throw new Error('figures unavailable'); } }]),
      },
      files: { mpasswd: `oxadminmaster:{PLAIN}${MASTER}\n` },
      properties: { 'keel.admin.failureDelayMs': '1', 'keel.admin.maxFailures': '50', 'com.example.colour': 'blue' },
    });
    const context = await kernel.get(contextServiceRef)!.create({ name: 'console', loginMappings: ['console.example'] });
    contextId = context.id;
    userId = (await kernel.get(userServiceRef)!.create(contextId, { login: 'ann', password: 'ann-secret', displayName: 'Ann', email: 'ann@console.example' })).id;
    await kernel.get(userServiceRef)!.setConfig(contextId, userId, { set: { 'com.example.colour': 'green' } });
  });

  after(async () => {
    await kernel?.stop();
  });

  it('GET /admin/v1/metrics: every source, a failing one isolated, values read at call time', async () => {
    assert.equal((await call(kernel.url, 'GET', '/admin/v1/metrics')).status, 401);
    const first = await call(kernel.url, 'GET', '/admin/v1/metrics', auth);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const sources = first.body['sources'] as Array<{ name: string; bundle: string; families?: Array<{ name: string; samples: Array<{ value: number }> }>; error?: string }>;
    const figures = sources.find((s) => s.name === 'test-figures');
    assert.equal(figures?.bundle, 'figures');
    assert.equal(figures?.families?.[0]?.samples[0]?.value, 1);
    assert.equal(sources.find((s) => s.name === 'broken-figures')?.error, 'figures unavailable');
    counter.ticks = 5;
    const second = await call(kernel.url, 'GET', '/admin/v1/metrics', auth);
    const again = (second.body['sources'] as typeof sources).find((s) => s.name === 'test-figures');
    assert.equal(again?.families?.[0]?.samples[0]?.value, 5);
  });

  it('GET /admin/v1/metrics follows sources as their bundles stop and start', async () => {
    const names = (body: Record<string, unknown>) => (body['sources'] as Array<{ name: string }>).map((source) => source.name).sort();
    await kernel.kernel.stopBundle('figures');
    const without = await call(kernel.url, 'GET', '/admin/v1/metrics', auth);
    assert.deepEqual(names(without.body), ['storage-sql']);
    await kernel.kernel.startBundle('figures');
    const back = await call(kernel.url, 'GET', '/admin/v1/metrics', auth);
    assert.deepEqual(names(back.body), ['broken-figures', 'storage-sql', 'test-figures']);
  });

  it('GET /admin/v1/config/explain: the user scope wins over the server for the user, the server for the context', async () => {
    const forUser = await call(kernel.url, 'GET', `/admin/v1/config/explain?property=com.example.colour&context=${contextId}&user=${userId}`, auth);
    assert.equal(forUser.status, 200, JSON.stringify(forUser.body));
    assert.deepEqual(forUser.body, {
      property: 'com.example.colour', contextId, userId,
      winner: { scope: 'user', value: 'green' },
      values: [{ scope: 'user', value: 'green' }, { scope: 'server', value: 'blue' }],
      redacted: false,
    });
    const forContext = await call(kernel.url, 'GET', `/admin/v1/config/explain?property=com.example.colour&context=${contextId}`, auth);
    assert.deepEqual(forContext.body['winner'], { scope: 'server', value: 'blue' });
  });

  it('GET /admin/v1/config/explain: 400 ADM-0005 for missing or invalid input, 401 without credentials', async () => {
    for (const [query, parameter] of [['context=1', 'property'], ['property=a.b', 'context'], ['property=a.b&context=x', 'context'], ['property=a.b&context=1&user=-2', 'user'], ['property=a%20b&context=1', 'property']] as const) {
      const answer = await call(kernel.url, 'GET', `/admin/v1/config/explain?${query}`, auth);
      assert.equal(answer.status, 400, query);
      assert.equal(answer.body['code'], 'ADM-0005', query);
      assert.match(String(answer.body['error']), new RegExp(`'${parameter}'`), query);
    }
    assert.equal((await call(kernel.url, 'GET', '/admin/v1/config/explain?property=a&context=1')).status, 401);
  });

  it('GET /admin/v1/config/explain: 404 ADM-0007 for a context or user the directory does not know', async () => {
    const context = await call(kernel.url, 'GET', `/admin/v1/config/explain?property=com.example.colour&context=${contextId + 1000}`, auth);
    assert.equal(context.status, 404);
    assert.equal(context.body['code'], 'ADM-0007');
    assert.match(String(context.body['error']), new RegExp(`no context ${contextId + 1000}`));
    const user = await call(kernel.url, 'GET', `/admin/v1/config/explain?property=com.example.colour&context=${contextId}&user=${userId + 1000}`, auth);
    assert.equal(user.status, 404);
    assert.match(String(user.body['error']), new RegExp(`no user ${userId + 1000} in context ${contextId}`));
  });

  it('GET /admin/v1/bundle-graph: nodes and consumer → provider edges', async () => {
    const graph = await call(kernel.url, 'GET', '/admin/v1/bundle-graph', auth);
    assert.equal(graph.status, 200);
    assert.deepEqual((graph.body['nodes'] as Array<{ name: string }>).map((n) => n.name), ['admin', 'figures', 'storage-sql']);
    assert.deepEqual(graph.body['edges'], [
      { from: 'admin', to: 'figures', services: ['metrics.source'], optional: true },
      { from: 'admin', to: 'storage-sql', services: ['metrics.source', 'directory.contexts', 'directory.users'], optional: true },
    ]);
  });

  it('serves the console without credentials, with a strict CSP, and nothing outside its file table', async () => {
    const redirect = await fetch(`${kernel.url}/admin/console`, { redirect: 'manual' });
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.get('location'), '/admin/console/');
    const page = await fetch(`${kernel.url}/admin/console/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await page.text(), /Keel admin console/);
    const script = await fetch(`${kernel.url}/admin/console/main.js`);
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const cached = await fetch(`${kernel.url}/admin/console/main.js`, { headers: { 'if-none-match': script.headers.get('etag') ?? '' } });
    assert.equal(cached.status, 304);
    for (const path of ['/admin/console/..%2Fpackage.json', '/admin/console/%2e%2e%2fpackage.json', '/admin/console/main.d.ts', '/admin/console/console.tsbuildinfo']) {
      const answer = await call(kernel.url, 'GET', path);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.body['code'], 'ADM-0006', path);
    }
    for (const path of ['/admin/console/../package.json', '/admin/console/src/index.ts', '/admin/console/../../../etc/passwd']) {
      // fetch normalises dot segments itself; a raw client would reach the router and get 404 from it.
      assert.equal((await fetch(`${kernel.url}${path}`)).status, 404, path);
    }
  });

  it('serves the console again after the admin bundle restarted', async () => {
    await kernel.kernel.stopBundle('admin');
    assert.equal((await kernel.kernel.startBundle('admin')).state, 'ACTIVE');
    assert.equal((await fetch(`${kernel.url}/admin/console/`)).status, 200);
    assert.equal((await fetch(`${kernel.url}/admin/console/main.js`)).status, 200);
  });

  it('answers 401 without a Basic challenge to the console, with one to everyone else', async () => {
    const script = await fetch(`${kernel.url}/admin/v1/bundles`, { headers: { authorization: basic('oxadminmaster', 'wrong'), 'x-requested-with': 'XMLHttpRequest' } });
    assert.equal(script.status, 401);
    assert.equal(script.headers.get('www-authenticate'), null);
    assert.equal(((await script.json()) as { code: string }).code, 'ADM-0001');
    const plain = await fetch(`${kernel.url}/admin/v1/bundles`, { headers: { authorization: basic('oxadminmaster', 'wrong') } });
    assert.match(plain.headers.get('www-authenticate') ?? '', /^Basic realm="Keel admin"/);
  });
});
