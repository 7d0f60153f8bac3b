import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BundleInfo, ConfigCascade, ConfigView, HttpReply, MetricsSource, ServiceEntry } from '@keel/plugin-sdk';
import { isScriptRequest } from '../src/admin-auth.js';
import { bundleGraph, satisfiesCaret } from '../src/bundle-graph.js';
import { explainProperty, parseExplainQuery } from '../src/config-explain.js';
import { CONSOLE_HEADERS, loadConsoleFiles, serve } from '../src/console-files.js';
import { collectMetrics } from '../src/metrics-snapshot.js';
import { outcomeOf } from './support.js';

/** The KeelError code and message a synchronous call throws. */
function thrown(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  assert.fail('expected an error');
}

describe('admin console routes: config explain input', () => {
  it('accepts a property, a context and an optional user', () => {
    assert.deepEqual(parseExplainQuery({ property: 'com.openexchange.pns.transport.websocket.enabled.open-xchange-appsuite.ox:mail:new', context: '1' }), {
      property: 'com.openexchange.pns.transport.websocket.enabled.open-xchange-appsuite.ox:mail:new',
      subject: { contextId: 1 },
    });
    assert.deepEqual(parseExplainQuery({ property: ' a.b ', context: '7', user: '42' }), { property: 'a.b', subject: { contextId: 7, userId: 42 } });
    assert.deepEqual(parseExplainQuery({ property: 'a', context: '3', user: '' }).subject, { contextId: 3 }, 'an empty user field means no user');
  });

  it('answers ADM-0005 naming the parameter that is missing or invalid', () => {
    const cases: Array<[Record<string, string | undefined>, string]> = [
      [{ context: '1' }, 'property'],
      [{ property: '   ', context: '1' }, 'property'],
      [{ property: 'has space', context: '1' }, 'property'],
      [{ property: '../etc', context: '1' }, 'property'],
      [{ property: 'x'.repeat(257), context: '1' }, 'property'],
      [{ property: 'a.b' }, 'context'],
      [{ property: 'a.b', context: 'abc' }, 'context'],
      [{ property: 'a.b', context: '-1' }, 'context'],
      [{ property: 'a.b', context: '1.5' }, 'context'],
      [{ property: 'a.b', context: '99999999999999999999' }, 'context'],
      [{ property: 'a.b', context: '1', user: 'bob' }, 'user'],
      [{ property: 'a.b', context: '1', user: '0x10' }, 'user'],
    ];
    for (const [query, parameter] of cases) {
      const error = thrown(() => parseExplainQuery(query));
      assert.equal(error.code, 'ADM-0005', JSON.stringify(query));
      assert.match(error.message, new RegExp(`^Invalid query parameter '${parameter}'`), JSON.stringify(query));
    }
  });
});

describe('admin console routes: config explain answer', () => {
  const cascadeWith = (explain: ConfigView['explain']): ConfigCascade & { subjects: unknown[] } => {
    const subjects: unknown[] = [];
    return {
      subjects,
      async view(subject) {
        subjects.push(subject);
        return { subject, explain } as unknown as ConfigView;
      },
      invalidate() {},
    };
  };

  it('names every scope, the winner and finality for the subject asked about', async () => {
    const cascade = cascadeWith(() => ({
      winner: { scope: 'server', value: 'on' },
      values: [{ scope: 'user', value: 'off' }, { scope: 'contextSets', value: 'x', source: 'gold' }, { scope: 'server', value: 'on' }],
      finalAt: 'server',
    }));
    const answer = await explainProperty(cascade, { property: 'p.q', subject: { contextId: 2, userId: 5 } });
    assert.deepEqual(cascade.subjects, [{ contextId: 2, userId: 5 }]);
    assert.deepEqual(answer, {
      property: 'p.q', contextId: 2, userId: 5,
      winner: { scope: 'server', value: 'on' },
      values: [{ scope: 'user', value: 'off' }, { scope: 'contextSets', value: 'x', source: 'gold' }, { scope: 'server', value: 'on' }],
      finalAt: 'server',
      redacted: false,
    });
    const nothing = await explainProperty(cascadeWith(() => ({ values: [] })), { property: 'none', subject: { contextId: 2 } });
    assert.deepEqual(nothing, { property: 'none', contextId: 2, values: [], redacted: false });
  });

  it('reports a context or user the directory does not know instead of explaining empty scopes', async () => {
    const cascade = cascadeWith(() => ({ values: [] }));
    const directory = {
      contexts: { get: async (id: number) => (id === 1 ? ({ id } as never) : undefined) },
      users: { get: async (_context: number, id: number) => (id === 5 ? ({ id } as never) : undefined) },
    };
    assert.equal((await explainProperty(cascade, { property: 'p', subject: { contextId: 1, userId: 5 } }, directory)).contextId, 1);
    assert.equal(await outcomeOf(explainProperty(cascade, { property: 'p', subject: { contextId: 2 } }, directory)), 'ADM-0007');
    assert.equal(await outcomeOf(explainProperty(cascade, { property: 'p', subject: { contextId: 1, userId: 6 } }, directory)), 'ADM-0007');
    assert.deepEqual(cascade.subjects, [{ contextId: 1, userId: 5 }], 'the cascade is not consulted for unknown subjects');
  });

  it('hides the values of properties named like secrets', async () => {
    const cascade = cascadeWith(() => ({ winner: { scope: 'context', value: 'hunter2' }, values: [{ scope: 'context', value: 'hunter2' }] }));
    for (const property of ['keel.database.password', 'com.openexchange.push.dovecot.secret', 'x.apiKey', 'x.private_key']) {
      const answer = await explainProperty(cascade, { property, subject: { contextId: 1 } });
      assert.equal(answer.redacted, true, property);
      assert.ok(!JSON.stringify(answer).includes('hunter2'), property);
      assert.equal(answer.winner?.scope, 'context', 'the winning scope still shows');
    }
  });
});

describe('admin console routes: metrics snapshot', () => {
  const entry = (bundle: string, serviceId: number, service: MetricsSource): ServiceEntry<MetricsSource> =>
    ({ bundle, serviceId, ranking: 0, properties: {}, version: '1.0.0', service });
  const family = { name: 'keel_test_total', help: 'test', type: 'counter' as const, samples: [{ value: 3 }] };

  it('collects every source and isolates the ones that throw, reject, hang or answer nonsense', async () => {
    const snapshot = await collectMetrics([
      entry('good', 1, { name: 'good', collect: () => [family] }),
      entry('async', 2, { name: 'async-source', collect: async () => [family] }),
      entry('throws', 3, { name: 'throws', collect: () => { throw new Error('boom'); } }),
      entry('rejects', 4, { name: 'rejects', collect: () => Promise.reject(new Error('nope')) }),
      entry('hangs', 5, { name: 'hangs', collect: () => new Promise(() => undefined) }),
      entry('nonsense', 6, { name: 'nonsense', collect: () => ({ not: 'a list' }) as never }),
      entry('nameless', 7, { name: '', collect: () => [{ help: 'x' }] as never }),
    ], 50);
    const byName = Object.fromEntries(snapshot.sources.map((s) => [s.name, s]));
    assert.deepEqual(byName['good'], { name: 'good', bundle: 'good', serviceId: 1, families: [family] });
    assert.deepEqual(byName['async-source']?.families, [family]);
    assert.equal(byName['throws']?.error, 'boom');
    assert.equal(byName['rejects']?.error, 'nope');
    assert.match(byName['hangs']?.error ?? '', /did not answer within 50 ms/);
    assert.match(byName['nonsense']?.error ?? '', /not return a list/);
    assert.match(byName['nameless']?.error ?? '', /without a name/, 'a source without a name is listed under its bundle');
    assert.ok(!Number.isNaN(Date.parse(snapshot.collectedAt)));
    assert.deepEqual(await collectMetrics([]), { collectedAt: (await collectMetrics([])).collectedAt, sources: [] });
  });
});

describe('admin console routes: bundle graph', () => {
  const info = (name: string, parts: Partial<BundleInfo> = {}): BundleInfo => ({
    name, version: '1.0.0', packageName: name, directory: `/b/${name}`, status: 'enabled', state: 'ACTIVE',
    provides: [], requires: [], optional: [], ...parts,
  });

  it('draws consumer → provider edges for refs in range, layered by dependency depth', () => {
    const graph = bundleGraph([
      info('websockets', { provides: ['websockets.service@1.0.0'], requires: ['sessions.service@^1.0.0'] }),
      info('sessiond', { provides: ['sessions.service@1.2.0'], requires: ['database@^1.0.0'] }),
      info('storage-sql', { provides: ['database@1.0.0', 'directory.users@1.0.0'] }),
      info('pns-transport-websockets', { provides: ['pns.transport@1.0.0'], requires: ['websockets.service@^1.0.0'], state: 'RESOLVED' }),
      info('pns-impl', { requires: ['database@^1.0.0', 'sessions.service@^1.0.0'], optional: ['pns.transport@^1.0.0'] }),
      info('old-consumer', { requires: ['sessions.service@^2.0.0'], state: 'INSTALLED', error: { code: 'KEEL-SERVICE-RANGE', message: 'x' } }),
      info('disabled', { status: 'disabled', state: 'UNINSTALLED' }),
    ]);
    const layer = Object.fromEntries(graph.nodes.map((n) => [n.name, n.layer]));
    assert.deepEqual(layer, { disabled: 0, 'old-consumer': 0, 'pns-impl': 4, 'pns-transport-websockets': 3, sessiond: 1, 'storage-sql': 0, websockets: 2 });
    assert.equal(graph.layers, 5);
    assert.deepEqual(graph.edges, [
      { from: 'pns-impl', to: 'pns-transport-websockets', services: ['pns.transport'], optional: true },
      { from: 'pns-impl', to: 'sessiond', services: ['sessions.service'], optional: false },
      { from: 'pns-impl', to: 'storage-sql', services: ['database'], optional: false },
      { from: 'pns-transport-websockets', to: 'websockets', services: ['websockets.service'], optional: false },
      { from: 'sessiond', to: 'storage-sql', services: ['database'], optional: false },
      { from: 'websockets', to: 'sessiond', services: ['sessions.service'], optional: false },
    ]);
    assert.equal(graph.nodes.find((n) => n.name === 'old-consumer')?.errorCode, 'KEEL-SERVICE-RANGE');
    const orders = graph.nodes.filter((n) => n.layer === 0).map((n) => n.order).sort();
    assert.deepEqual(orders, [0, 1, 2], 'each layer is numbered 0..n-1');
  });

  it('survives a dependency cycle and keeps one edge per pair', () => {
    const graph = bundleGraph([
      info('a', { provides: ['a@1.0.0', 'a2@1.0.0'], requires: ['b@^1.0.0'] }),
      info('b', { provides: ['b@1.0.0'], requires: ['a@^1.0.0', 'a2@^1.0.0'] }),
    ]);
    assert.equal(graph.nodes.length, 2);
    assert.deepEqual(graph.edges.find((e) => e.from === 'b'), { from: 'b', to: 'a', services: ['a', 'a2'], optional: false });
    assert.notEqual(graph.nodes[0]!.layer, graph.nodes[1]!.layer);
  });

  it('matches caret ranges as npm does', () => {
    assert.ok(satisfiesCaret('1.4.0', '1.0.0'));
    assert.ok(!satisfiesCaret('2.0.0', '1.0.0'));
    assert.ok(!satisfiesCaret('1.0.0', '1.2.0'));
    assert.ok(satisfiesCaret('0.2.5', '0.2.1'));
    assert.ok(!satisfiesCaret('0.3.0', '0.2.1'));
    assert.ok(!satisfiesCaret('0.0.4', '0.0.3'));
  });
});

describe('admin console routes: static files', () => {
  const reply = () => {
    const headers: Record<string, string> = {};
    let status = 200;
    const api = {
      status(code: number) { status = code; return api; },
      header(name: string, value: string) { headers[name] = value; return api; },
    } as unknown as HttpReply;
    return { api, headers, status: () => status };
  };

  it('serves the built page, style sheet and modules from a fixed table, with CSP and revalidation', async () => {
    const files = await loadConsoleFiles();
    assert.ok(files.has('index.html') && files.has('console.css') && files.has('main.js'), `built console files: ${[...files.keys()].join(', ')}`);
    assert.ok([...files.keys()].every((name) => /^[a-z][a-z0-9-]*\.(js|html|css)$/.test(name)), 'no declaration files or build info');

    const page = reply();
    const body = serve(files, 'index.html', { headers: {} }, page.api);
    assert.match(String(body), /<script type="module" src="main.js"><\/script>/);
    assert.ok(!/<script>|\son[a-z]+=/.test(String(body)), 'no inline script or handler');
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['content-security-policy'], CONSOLE_HEADERS['content-security-policy']);
    assert.match(page.headers['content-security-policy'] ?? '', /default-src 'none'; script-src 'self'/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');

    const script = reply();
    serve(files, 'main.js', { headers: {} }, script.api);
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');

    const again = reply();
    assert.equal(serve(files, 'main.js', { headers: { 'if-none-match': script.headers['etag'] } }, again.api), undefined);
    assert.equal(again.status(), 304);
  });

  it('answers ADM-0006 for every name outside the table', async () => {
    const files = await loadConsoleFiles();
    for (const name of ['../package.json', '..%2Fpackage.json', 'main.d.ts', 'console.tsbuildinfo', 'main.js.map', '', '.', 'MAIN.JS', '/etc/passwd']) {
      assert.equal(await outcomeOf(Promise.resolve().then(() => serve(files, name, { headers: {} }, reply().api))), 'ADM-0006', name);
    }
  });

  it('is empty when the console was not built', async () => {
    assert.equal((await loadConsoleFiles('/nonexistent')).size, 0);
  });
});

describe('admin console routes: no Basic challenge for the console', () => {
  it('recognises script requests by X-Requested-With', () => {
    assert.equal(isScriptRequest({ headers: { 'x-requested-with': 'XMLHttpRequest' } }), true);
    assert.equal(isScriptRequest({ headers: { 'x-requested-with': 'xmlhttprequest' } }), true);
    assert.equal(isScriptRequest({ headers: {} }), false);
  });
});
