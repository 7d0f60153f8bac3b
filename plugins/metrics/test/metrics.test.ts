import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadBundle, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import { basic, parseExposition, scrape, sourceBundle, valuesOf, type Sample } from './support.js';

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
const DURATION_COUNT = 'keel_http_request_duration_seconds_count';

describe('metrics bundle', () => {
  let keel: TestKernel;
  before(async () => {
    keel = await startTestKernel({
      bundles: {
        metrics: await loadBundle('metrics'),
        things: sourceBundle('things', () => [
          { name: 'keel_test_connections', help: 'Open test connections.', type: 'gauge', labelNames: ['bundle'], samples: [{ labels: { bundle: 'things' }, value: 3 }] },
          { name: 'keel_test_deliveries_total', help: 'Test deliveries.', type: 'counter', samples: [{ value: 7 }] },
        ], { routes: true, ranking: 10 }),
        other: sourceBundle('other', async () => [
          { name: 'keel_test_connections', help: 'Open test connections.', type: 'gauge', labelNames: ['bundle'], samples: [{ labels: { bundle: 'other' }, value: 5 }] },
          { name: 'keel_test_deliveries_total', help: 'Declared with the wrong type.', type: 'gauge', samples: [{ value: 1 }] },
        ]),
        broken: sourceBundle('broken', () => {
          throw new Error('the source is broken');
        }),
      },
    });
  });
  after(async () => {
    await keel.stop();
  });

  /** A request's duration is recorded once its response has finished; scrape until the expected count shows. */
  async function scrapeUntil(done: (samples: Sample[]) => boolean): Promise<Sample[]> {
    for (let attempt = 0; ; attempt++) {
      const { status, text } = await scrape(keel.url);
      assert.equal(status, 200);
      const samples = parseExposition(text);
      if (done(samples)) return samples;
      if (attempt === 50) assert.fail(`the expected samples never appeared in:\n${text}`);
    }
  }

  it('answers in the Prometheus text format with process and Node.js metrics', async () => {
    const { status, headers, text } = await scrape(keel.url);
    assert.equal(status, 200);
    assert.equal(headers.get('content-type'), PROMETHEUS_TEXT);
    const samples = parseExposition(text);
    for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      assert.equal(valuesOf(samples, name).length, 1, name);
    }
  });

  it('counts bundles by state, every state present', async () => {
    const samples = parseExposition((await scrape(keel.url)).text);
    const states = Object.fromEntries(samples.filter((sample) => sample.name === 'keel_bundles').map((sample) => [sample.labels['state'], sample.value]));
    assert.deepEqual(states, { INSTALLED: 0, RESOLVED: 0, STARTING: 0, ACTIVE: 4, STOPPING: 0, UNINSTALLED: 0 });
  });

  it('measures requests under their route pattern, never the raw URL', async () => {
    const id = `user-${Math.random().toString(36).slice(2)}`;
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${keel.url}/things/${id}?session=s3cr3t`)).status, 200);
    assert.equal((await fetch(`${keel.url}/appsuite/api/things?action=get`)).status, 200);
    const samples = await scrapeUntil((current) => valuesOf(current, DURATION_COUNT, { route: 'things?action=get' }).length > 0
      && valuesOf(current, DURATION_COUNT, { route: '/things/:id' })[0] === 3);
    assert.deepEqual(valuesOf(samples, DURATION_COUNT, { method: 'GET', route: '/things/:id', status: '200' }), [3]);
    assert.deepEqual(valuesOf(samples, DURATION_COUNT, { method: 'GET', route: 'things?action=get', status: '200' }), [1]);
    assert.deepEqual(valuesOf(samples, 'keel_http_request_duration_seconds_bucket', { route: '/things/:id', le: '+Inf' }), [3]);
    assert.ok(!samples.some((sample) => Object.values(sample.labels).some((value) => value.includes(id) || value.includes('s3cr3t'))));
  });

  it('measures a 404 for a random path as unmatched', async () => {
    const path = `/no-such-${Math.random().toString(36).slice(2)}/${Math.random().toString(36).slice(2)}`;
    assert.equal((await fetch(`${keel.url}${path}`)).status, 404);
    const samples = await scrapeUntil((current) => valuesOf(current, DURATION_COUNT, { route: 'unmatched', status: '404' }).length > 0);
    assert.deepEqual(valuesOf(samples, DURATION_COUNT, { method: 'GET', route: 'unmatched', status: '404' }), [1]);
    assert.ok(!samples.some((sample) => Object.values(sample.labels).some((value) => value.includes('no-such-'))));
    // The scrapes themselves are measured too.
    assert.ok((valuesOf(samples, DURATION_COUNT, { route: '/metrics', status: '200' })[0] ?? 0) >= 1);
  });

  it('merges families of several sources into one and leaves out a conflicting family (the higher-ranked source wins) and a throwing source', async () => {
    const { status, text } = await scrape(keel.url);
    assert.equal(status, 200);
    assert.equal(text.match(/^# TYPE keel_test_connections gauge$/gm)?.length, 1);
    const samples = parseExposition(text);
    assert.deepEqual(valuesOf(samples, 'keel_test_connections', { bundle: 'things' }), [3]);
    assert.deepEqual(valuesOf(samples, 'keel_test_connections', { bundle: 'other' }), [5]);
    assert.match(text, /^# TYPE keel_test_deliveries_total counter$/m);
    assert.deepEqual(valuesOf(samples, 'keel_test_deliveries_total'), [7]);
    assert.equal(valuesOf(samples, 'keel_metrics_source_errors_total', { source: 'things' })[0], 0);
    assert.ok((valuesOf(samples, 'keel_metrics_source_errors_total', { source: 'other' })[0] ?? 0) >= 1);
    assert.ok((valuesOf(samples, 'keel_metrics_source_errors_total', { source: 'broken' })[0] ?? 0) >= 1);
  });

  it('drops a source\'s families while its bundle is stopped and shows them again when it starts', async () => {
    await keel.kernel.stopBundle('other');
    try {
      const samples = parseExposition((await scrape(keel.url)).text);
      assert.deepEqual(valuesOf(samples, 'keel_test_connections', { bundle: 'other' }), []);
      assert.deepEqual(valuesOf(samples, 'keel_test_connections', { bundle: 'things' }), [3]);
      assert.deepEqual(valuesOf(samples, 'keel_bundles', { state: 'RESOLVED' }), [1]);
      assert.deepEqual(valuesOf(samples, 'keel_bundles', { state: 'ACTIVE' }), [3]);
    } finally {
      await keel.kernel.startBundle('other');
    }
    const samples = parseExposition((await scrape(keel.url)).text);
    assert.deepEqual(valuesOf(samples, 'keel_test_connections', { bundle: 'other' }), [5]);
    assert.deepEqual(valuesOf(samples, 'keel_bundles', { state: 'ACTIVE' }), [4]);
  });
});

describe('metrics access control', () => {
  let keel: TestKernel;
  before(async () => {
    keel = await startTestKernel({
      bundles: { metrics: await loadBundle('metrics') },
      properties: { 'keel.metrics.allowedNetworks': '10.0.0.0/8, fd00::/8' },
    });
  });
  after(async () => {
    await keel.stop();
  });

  async function reloadWith(properties: Record<string, string>): Promise<void> {
    await writeFile(join(keel.configDir, 'test.properties'), Object.entries(properties).map(([key, value]) => `${key}=${value}`).join('\n'));
    await keel.kernel.reload();
  }

  it('refuses an address outside keel.metrics.allowedNetworks with 403 MET-0001 naming it', async () => {
    const { status, text } = await scrape(keel.url);
    assert.equal(status, 403);
    const body = JSON.parse(text) as { code: string; error: string };
    assert.equal(body.code, 'MET-0001');
    assert.match(body.error, /127\.0\.0\.1/);
  });

  it('re-reads the settings on reload and then wants HTTP Basic credentials when configured', async () => {
    await reloadWith({ 'keel.metrics.allowedNetworks': '127.0.0.1', 'keel.metrics.login': 'prometheus', 'keel.metrics.password': 'scrape:me' });
    const anonymous = await scrape(keel.url);
    assert.equal(anonymous.status, 401);
    assert.equal((JSON.parse(anonymous.text) as { code: string }).code, 'MET-0002');
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic realm="Keel metrics"/);
    assert.equal((await scrape(keel.url, basic('prometheus', 'wrong'))).status, 401);
    const allowed = await scrape(keel.url, basic('prometheus', 'scrape:me'));
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('content-type'), PROMETHEUS_TEXT);
    assert.deepEqual(valuesOf(parseExposition(allowed.text), 'keel_bundles', { state: 'ACTIVE' }), [1]);
  });

  it('keeps the previous settings when a reload brings unusable ones', async () => {
    await reloadWith({ 'keel.metrics.allowedNetworks': '127.0.0.1, not-a-network', 'keel.metrics.login': 'prometheus', 'keel.metrics.password': 'scrape:me' });
    assert.equal(keel.bundle('metrics')?.state, 'ACTIVE');
    assert.equal((await scrape(keel.url)).status, 401);
    assert.equal((await scrape(keel.url, basic('prometheus', 'scrape:me'))).status, 200);
  });

  it('drops the credentials when a reload removes them', async () => {
    await reloadWith({ 'keel.metrics.allowedNetworks': '127.0.0.0/8' });
    assert.equal((await scrape(keel.url)).status, 200);
  });
});
