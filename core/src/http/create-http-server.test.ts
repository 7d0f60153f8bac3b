import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { KeelError, type RequestTiming } from '@keel/plugin-sdk';
import { createLogger } from '../logging/create-logger.js';
import { createHttpServer, type HealthReport, type HttpServerOptions, type KeelHttpServer } from './create-http-server.js';

interface Harness {
  server: KeelHttpServer;
  base: string;
  active: Set<string>;
  health: HealthReport;
  logText: () => string;
  logLines: () => Record<string, unknown>[];
}

async function startServer(extra: Partial<HttpServerOptions> = {}): Promise<Harness> {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  const active = new Set(['alpha', 'beta']);
  const health: HealthReport = { status: 'ok', bundles: { ACTIVE: 2 } };
  const server = createHttpServer({
    logger: createLogger({ level: 'debug', destination: stream }),
    host: '127.0.0.1',
    port: 0,
    isBundleActive: (bundle) => active.has(bundle),
    health: () => health,
    ...extra,
  });
  const { host, port } = await server.listen();
  return {
    server,
    base: `http://${host}:${port}`,
    active,
    health,
    logText: () => text,
    logLines: () => text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

async function call(url: string, init?: RequestInit): Promise<{ status: number; headers: Headers; text: string; json: () => unknown }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as unknown };
}

describe('HTTP server', () => {
  let h: Harness;
  before(async () => {
    h = await startServer();
  });
  after(async () => {
    await h.server.close();
  });

  describe('module actions', () => {
    it('wrap results as {"data": …} under the API prefix, with or without trailing slash', async () => {
      const http = h.server.forBundle('alpha');
      http.action({ module: 'demo', action: 'echo', handler: (request) => ({ hello: request.query['name'] }) });
      http.action({ module: 'demo', action: 'nothing', handler: () => undefined });
      http.action({ module: 'demo', action: 'shaped', handler: () => ({ data: 1 }) });
      const first = await call(`${h.base}/appsuite/api/demo?action=echo&name=anton`);
      assert.equal(first.status, 200);
      assert.match(first.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(first.json(), { data: { hello: 'anton' } });
      assert.deepEqual((await call(`${h.base}/appsuite/api/demo/?action=echo&name=x&name=y`)).json(), { data: { hello: 'y' } });
      assert.deepEqual((await call(`${h.base}/appsuite/api/demo?action=nothing`, { method: 'POST' })).json(), { data: null });
      assert.deepEqual((await call(`${h.base}/appsuite/api/demo?action=shaped`, { method: 'PUT' })).json(), { data: { data: 1 } });
      assert.equal(http.apiPrefix, '/appsuite/api');
    });

    it('answer a KeelError as the error envelope with its status and headers', async () => {
      h.server.forBundle('alpha').action({
        module: 'demo',
        action: 'fail',
        handler: () => {
          throw new KeelError('SES-0203', 'Your session expired', { status: 403, params: ['abc'], headers: { 'x-reason': 'expired' } });
        },
      });
      const reply = await call(`${h.base}/appsuite/api/demo?action=fail`);
      assert.equal(reply.status, 403);
      assert.equal(reply.headers.get('x-reason'), 'expired');
      assert.deepEqual(reply.json(), { error: 'Your session expired', code: 'SES-0203', error_params: ['abc'] });
    });

    it('name unknown modules, unknown and missing actions', async () => {
      const unknownModule = await call(`${h.base}/appsuite/api/nosuch?action=all`);
      assert.equal(unknownModule.status, 404);
      assert.deepEqual(unknownModule.json(), { error: "Unknown module 'nosuch'", code: 'KEEL-HTTP-UNKNOWN-MODULE', error_params: ['nosuch'] });
      const unknownAction = await call(`${h.base}/appsuite/api/demo?action=nosuch`);
      assert.equal(unknownAction.status, 400);
      assert.equal((unknownAction.json() as { code: string }).code, 'KEEL-HTTP-UNKNOWN-ACTION');
      const missing = await call(`${h.base}/appsuite/api/demo`);
      assert.equal(missing.status, 400);
      assert.equal((missing.json() as { code: string }).code, 'KEEL-HTTP-MISSING-ACTION');
    });

    it('answer 405 for a method the action does not accept', async () => {
      h.server.forBundle('alpha').action({ module: 'demo', action: 'postonly', methods: ['POST'], handler: () => 'ok' });
      const reply = await call(`${h.base}/appsuite/api/demo?action=postonly`);
      assert.equal(reply.status, 405);
      assert.equal(reply.headers.get('allow'), 'POST');
      assert.equal((reply.json() as { code: string }).code, 'KEEL-HTTP-METHOD');
    });

    it('accept module names with slashes', async () => {
      h.server.forBundle('alpha').action({ module: 'oauth/accounts', action: 'all', handler: () => [] });
      assert.deepEqual((await call(`${h.base}/appsuite/api/oauth/accounts?action=all`)).json(), { data: [] });
    });
  });

  describe('REST routes', () => {
    it('answer objects as JSON, strings and Buffers as they are, undefined as 204', async () => {
      const http = h.server.forBundle('alpha');
      http.route({ method: 'GET', path: '/rest/items/:id', handler: (request) => ({ id: request.params['id'], q: request.query['q'] }) });
      http.route({ method: 'GET', path: '/rest/text', handler: () => 'plain words' });
      http.route({ method: 'GET', path: '/rest/bytes', handler: () => Buffer.from([1, 2, 3]) });
      http.route({ method: 'DELETE', path: '/rest/items/:id', handler: () => undefined });
      http.route({ method: 'POST', path: '/rest/items', handler: (_request, reply) => (reply.status(201).header('location', '/rest/items/9'), { id: '9' }) });
      assert.deepEqual((await call(`${h.base}/rest/items/7?q=x`)).json(), { id: '7', q: 'x' });
      const text = await call(`${h.base}/rest/text`);
      assert.equal(text.text, 'plain words');
      assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
      const bytes = await fetch(`${h.base}/rest/bytes`);
      assert.deepEqual([...new Uint8Array(await bytes.arrayBuffer())], [1, 2, 3]);
      const deleted = await call(`${h.base}/rest/items/7`, { method: 'DELETE' });
      assert.equal(deleted.status, 204);
      assert.equal(deleted.text, '');
      const created = await call(`${h.base}/rest/items`, { method: 'POST' });
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('location'), '/rest/items/9');
      const head = await fetch(`${h.base}/rest/items/7`, { method: 'HEAD' });
      assert.equal(head.status, 200);
    });

    it('answer 404 for unknown paths and 405 with Allow for wrong methods', async () => {
      const missing = await call(`${h.base}/no/such/thing`);
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.json(), { error: 'No route for GET /no/such/thing', code: 'KEEL-HTTP-NOT-FOUND' });
      assert.equal((await call(`${h.base}/`)).status, 404);
      const wrong = await call(`${h.base}/rest/items/7`, { method: 'PUT' });
      assert.equal(wrong.status, 405);
      assert.equal(wrong.headers.get('allow'), 'GET, DELETE, HEAD');
      assert.equal((wrong.json() as { code: string }).code, 'KEEL-HTTP-METHOD');
    });

    it('answer a KeelError as {error, code} with its status and headers', async () => {
      h.server.forBundle('alpha').route({
        method: 'GET',
        path: '/rest/secure',
        handler: () => {
          throw new KeelError('ADM-0001', 'Authentication required', { status: 401, headers: { 'www-authenticate': 'Basic realm="keel"' } });
        },
      });
      const reply = await call(`${h.base}/rest/secure`);
      assert.equal(reply.status, 401);
      assert.equal(reply.headers.get('www-authenticate'), 'Basic realm="keel"');
      assert.deepEqual(reply.json(), { error: 'Authentication required', code: 'ADM-0001' });
    });

    it('let a handler take over the raw response, keeping headers and cookies set before', async () => {
      h.server.forBundle('alpha').route({
        method: 'GET',
        path: '/rest/stream',
        handler: (_request, reply) => {
          reply.status(202).header('content-type', 'text/event-stream').setCookie('seen', '1');
          const raw = reply.raw();
          assert.equal(reply.sent, true);
          raw.write('data: one\n\n');
          raw.end('data: two\n\n');
        },
      });
      const reply = await call(`${h.base}/rest/stream`);
      assert.equal(reply.status, 202);
      assert.equal(reply.headers.get('content-type'), 'text/event-stream');
      assert.match(reply.headers.get('set-cookie') ?? '', /^seen=1; Path=\//);
      assert.equal(reply.text, 'data: one\n\ndata: two\n\n');
    });
  });

  describe('registration at any time', () => {
    it('serves routes added after listen', async () => {
      assert.equal((await call(`${h.base}/late/route`)).status, 404);
      h.server.forBundle('beta').route({ method: 'GET', path: '/late/route', handler: () => 'late' });
      assert.equal((await call(`${h.base}/late/route`)).text, 'late');
    });

    it('replaces a route or action the same bundle registers again (restart)', async () => {
      const http = h.server.forBundle('beta');
      http.route({ method: 'GET', path: '/restart/:id', handler: () => 'one' });
      http.action({ module: 'restart', action: 'get', handler: () => 'one' });
      http.route({ method: 'GET', path: '/restart/:rid', handler: (request) => `two ${request.params['rid']}` });
      http.action({ module: 'restart', action: 'get', handler: () => 'two' });
      assert.equal((await call(`${h.base}/restart/5`)).text, 'two 5');
      assert.deepEqual((await call(`${h.base}/appsuite/api/restart?action=get`)).json(), { data: 'two' });
    });

    it('refuses a route or action another bundle owns, naming both bundles', () => {
      h.server.forBundle('alpha').route({ method: 'GET', path: '/owned', handler: () => 'alpha' });
      assert.throws(() => h.server.forBundle('beta').route({ method: ['POST', 'GET'], path: '/owned', handler: () => 'beta' }), /'beta'.*'alpha'/);
      assert.throws(() => h.server.forBundle('beta').action({ module: 'demo', action: 'echo', handler: () => 'beta' }), /'alpha'.*'beta'/);
      assert.throws(() => h.server.forBundle('beta').route({ method: 'GET', path: '/health', handler: () => 'mine' }), /answers that path itself/);
    });

    it('answers 503 while the owning bundle is inactive and serves again once it is active', async () => {
      h.server.forBundle('gamma').action({ module: 'gamma', action: 'ping', handler: () => 'pong' });
      h.server.forBundle('gamma').route({ method: 'GET', path: '/gamma', handler: () => 'pong' });
      const inactive = await call(`${h.base}/appsuite/api/gamma?action=ping`);
      assert.equal(inactive.status, 503);
      assert.deepEqual(inactive.json(), { error: "The bundle serving this route ('gamma') is not active", code: 'KEEL-BUNDLE-INACTIVE', error_params: ['gamma'] });
      assert.equal((await call(`${h.base}/gamma`)).status, 503);
      h.active.add('gamma');
      assert.deepEqual((await call(`${h.base}/appsuite/api/gamma?action=ping`)).json(), { data: 'pong' });
      assert.equal((await call(`${h.base}/gamma`)).text, 'pong');
    });

    it('forgets the routes of a removed bundle', async () => {
      const http = h.server.forBundle('delta');
      h.active.add('delta');
      http.route({ method: 'GET', path: '/delta', handler: () => 'here' });
      http.action({ module: 'delta', action: 'get', handler: () => 'here' });
      assert.equal((await call(`${h.base}/delta`)).text, 'here');
      h.server.removeBundle('delta');
      assert.equal((await call(`${h.base}/delta`)).status, 404);
      assert.equal((await call(`${h.base}/appsuite/api/delta?action=get`)).status, 404);
      h.server.forBundle('epsilon').route({ method: 'GET', path: '/delta', handler: () => 'taken over' });
    });
  });

  describe('bodies', () => {
    before(() => {
      const http = h.server.forBundle('alpha');
      const echo = (request: { body: unknown; rawBody: Buffer | undefined; headers: Readonly<Record<string, unknown>> }) => ({
        body: request.body ?? null,
        raw: request.rawBody?.toString('utf8') ?? null,
      });
      http.route({ method: ['POST', 'PUT'], path: '/bodies/echo', handler: echo });
      http.route({ method: 'POST', path: '/bodies/tiny', bodyLimit: 10, handler: echo });
      http.route({ method: 'POST', path: '/bodies/large', bodyLimit: 3 * 1024 * 1024, handler: (request) => request.rawBody?.length ?? -1 });
      http.action({ module: 'bodies', action: 'echo', handler: echo });
    });

    it('parses forms (last repeated key wins) and JSON, hands other types over raw', async () => {
      const form = await call(`${h.base}/bodies/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=anton&x=1&x=2&empty=&sp=a+b%21',
      });
      assert.deepEqual(form.json(), { body: { name: 'anton', x: '2', empty: '', sp: 'a b!' }, raw: null });
      const json = await call(`${h.base}/appsuite/api/bodies?action=echo`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"a":[1,2]}' });
      assert.deepEqual(json.json(), { data: { body: { a: [1, 2] }, raw: null } });
      const withCharset = await call(`${h.base}/bodies/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
        body: 'folder=default0%2FINBOX',
      });
      assert.deepEqual(withCharset.json(), { body: { folder: 'default0/INBOX' }, raw: null });
      const text = await call(`${h.base}/bodies/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'just text' });
      assert.deepEqual(text.json(), { body: null, raw: 'just text' });
    });

    it('answers 400 KEEL-HTTP-BODY for malformed JSON, as envelope on module actions', async () => {
      const rest = await call(`${h.base}/bodies/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
      assert.equal(rest.status, 400);
      assert.equal((rest.json() as { code: string }).code, 'KEEL-HTTP-BODY');
      const action = await call(`${h.base}/appsuite/api/bodies?action=echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'nope' });
      assert.equal(action.status, 400);
      const envelope = action.json() as { code: string; error: string; error_params: unknown[] };
      assert.equal(envelope.code, 'KEEL-HTTP-BODY');
      assert.match(envelope.error, /^Request body could not be parsed: /);
      assert.equal(envelope.error_params.length, 1);
    });

    it('answers 413 KEEL-HTTP-BODY-SIZE above the default 1 MiB or the route limit, also for chunked bodies', async () => {
      const big = await call(`${h.base}/bodies/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(1024 * 1024 + 1) });
      assert.equal(big.status, 413);
      assert.deepEqual(big.json(), { error: 'Request body is larger than 1048576 bytes', code: 'KEEL-HTTP-BODY-SIZE' });
      const justFits = await call(`${h.base}/bodies/tiny`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '0123456789' });
      assert.deepEqual(justFits.json(), { body: null, raw: '0123456789' });
      const tooBig = await call(`${h.base}/bodies/tiny`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '0123456789a' });
      assert.equal(tooBig.status, 413);
      const chunked = await call(`${h.base}/bodies/tiny`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('01234'));
            controller.enqueue(new TextEncoder().encode('56789abcdef'));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      assert.equal(chunked.status, 413);
      assert.equal((chunked.json() as { error: string }).error, 'Request body is larger than 10 bytes');
      const large = await call(`${h.base}/bodies/large`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(2 * 1024 * 1024) });
      assert.equal(large.text, String(2 * 1024 * 1024));
    });
  });

  describe('cookies', () => {
    it('reads request cookies and sets and clears response cookies', async () => {
      h.server.forBundle('alpha').action({
        module: 'cookies',
        action: 'swap',
        handler: (request, reply) => {
          reply.setCookie('open-xchange-secret-abc', 'new', { httpOnly: true, secure: true, sameSite: 'strict', maxAge: 60 });
          reply.clearCookie('old');
          return request.cookies;
        },
      });
      const reply = await call(`${h.base}/appsuite/api/cookies?action=swap`, { headers: { cookie: 'old=1; open-xchange-secret-abc=prev' } });
      assert.deepEqual(reply.json(), { data: { old: '1', 'open-xchange-secret-abc': 'prev' } });
      const cookies = reply.headers.getSetCookie();
      assert.equal(cookies.length, 2);
      assert.match(cookies[0] ?? '', /^open-xchange-secret-abc=new; Max-Age=60; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
      assert.match(cookies[1] ?? '', /^old=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT/);
    });
  });

  describe('failures', () => {
    it('answers 500 KEEL-INTERNAL with a reference and logs the stack under it, never sending it', async () => {
      h.server.forBundle('alpha').route({
        method: 'GET',
        path: '/boom',
        handler: () => {
          throw new Error('database exploded near table users');
        },
      });
      h.server.forBundle('alpha').action({ module: 'boom', action: 'now', handler: () => Promise.reject(new TypeError('undefined is not a function')) });
      const rest = await call(`${h.base}/boom`);
      assert.equal(rest.status, 500);
      const body = rest.json() as { error: string; code: string };
      assert.equal(body.code, 'KEEL-INTERNAL');
      const reference = /^Internal error \(([0-9a-f]{8})\); see the server log$/.exec(body.error)?.[1];
      assert.ok(reference, body.error);
      assert.ok(!rest.text.includes('exploded') && !rest.text.includes('at '), rest.text);
      const logged = h.logLines().find((line) => line['reference'] === reference);
      assert.equal(logged?.['level'], 'error');
      assert.equal(logged?.['bundle'], 'alpha');
      assert.match(String((logged?.['err'] as { stack?: string })?.stack), /database exploded[\s\S]*\n\s+at /);

      const action = await call(`${h.base}/appsuite/api/boom?action=now`);
      assert.equal(action.status, 500);
      const envelope = action.json() as { code: string; error_params: string[] };
      assert.equal(envelope.code, 'KEEL-INTERNAL');
      assert.equal(envelope.error_params.length, 1);
      assert.ok(!action.text.includes('undefined is not a function'));
    });
  });

  describe('health', () => {
    it('answers 200 with the bundle counts, also when degraded', async () => {
      const ok = await call(`${h.base}/health`);
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.json(), { status: 'ok', bundles: { ACTIVE: 2 } });
      h.health.status = 'degraded';
      h.health.bundles = { ACTIVE: 1, RESOLVED: 1 };
      const degraded = await call(`${h.base}/health`);
      assert.equal(degraded.status, 200);
      assert.deepEqual(degraded.json(), { status: 'degraded', bundles: { ACTIVE: 1, RESOLVED: 1 } });
    });

    it('logs probes of /health, /health/live and /health/ready at debug, other requests at info', async () => {
      h.server.forBundle('kernel').route({ method: 'GET', path: '/health/live', handler: () => ({ status: 'ok' }) });
      await call(`${h.base}/health?probe=1`);
      await call(`${h.base}/health/live`);
      await call(`${h.base}/not-a-probe`);
      const levelOf = (url: string) => h.logLines().find((line) => line['url'] === url && line['msg'] === 'request completed')?.['level'];
      assert.equal(levelOf('/health?probe=1'), 'debug');
      assert.equal(levelOf('/health/live'), 'debug');
      assert.equal(levelOf('/not-a-probe'), 'info');
    });
  });

  describe('raw request listeners', () => {
    it('see requests before routing and may answer them', async () => {
      const stop = h.server.forBundle('beta').onRawRequest?.((req, res) => {
        if (!req.url?.startsWith('/raw-proto/')) return false;
        res.writeHead(200, { 'content-type': 'text/plain' }).end('raw answer');
        return true;
      });
      assert.equal((await call(`${h.base}/raw-proto/x`)).text, 'raw answer');
      stop?.();
      assert.equal((await call(`${h.base}/raw-proto/x`)).status, 404);
    });
  });

  describe('logging', () => {
    it('logs one line per request with method, redacted url, status and time, and never a secret', async () => {
      h.server.forBundle('alpha').action({
        module: 'login',
        action: 'login',
        handler: (request) => {
          request.log.info({ headers: request.headers, body: request.body, cookies: request.cookies }, 'login attempt');
          return { session: 's1' };
        },
      });
      const secret = 'hunter2-topsecret';
      const reply = await call(`${h.base}/appsuite/api/login?action=login&name=anton&password=${secret}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`anton:${secret}`).toString('base64')}`,
          cookie: `open-xchange-secret-abc=${secret}`,
        },
        body: `name=anton&password=${secret}`,
      });
      assert.equal(reply.status, 200);
      const text = h.logText();
      assert.ok(!text.includes(secret), 'a secret reached the log');
      assert.ok(!text.includes(Buffer.from(`anton:${secret}`).toString('base64')), 'basic credentials reached the log');
      const lines = h.logLines();
      const attempt = lines.find((line) => line['msg'] === 'login attempt');
      assert.equal(attempt?.['bundle'], 'alpha');
      assert.equal((attempt?.['body'] as Record<string, unknown>)['name'], 'anton');
      assert.equal((attempt?.['body'] as Record<string, unknown>)['password'], '[redacted]');
      const completed = lines.find((line) => line['msg'] === 'request completed' && String(line['url']).startsWith('/appsuite/api/login'));
      assert.equal(completed?.['level'], 'info');
      assert.equal(completed?.['method'], 'POST');
      assert.equal(completed?.['url'], '/appsuite/api/login?action=login&name=anton&password=[redacted]');
      assert.equal(completed?.['status'], 200);
      assert.equal(completed?.['bundle'], 'alpha');
      assert.equal(typeof completed?.['responseTime'], 'number');
      assert.equal(completed?.['reqId'], attempt?.['reqId']);
    });
  });

  it('exposes the node server and its address', () => {
    const address = h.server.address();
    assert.ok(address);
    assert.equal(address.host, '127.0.0.1');
    assert.equal(h.server.server, h.server.fastify.server);
    assert.equal(h.server.forBundle('alpha').server, h.server.server);
    assert.deepEqual(h.server.forBundle('alpha').address(), address);
  });
});

describe('HTTP server lifecycle', () => {
  it('closes while a client holds a keep-alive connection', async () => {
    const h = await startServer();
    h.server.forBundle('alpha').route({ method: 'GET', path: '/ping', handler: () => 'pong' });
    const agentless = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${h.base}/ping`, { headers: { connection: 'keep-alive' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(agentless, 200);
    await h.server.close();
    assert.equal(h.server.address(), undefined);
  });
});

describe('HTTP server request timings', () => {
  const timings: RequestTiming[] = [];
  let observed = true;
  let arrived: (() => void) | undefined;
  let h: Harness;
  before(async () => {
    h = await startServer({
      requestCompleted: {
        observed: () => observed,
        report: (timing) => {
          timings.push(timing);
          arrived?.();
        },
      },
    });
    const alpha = h.server.forBundle('alpha');
    alpha.route({ method: 'GET', path: '/users/:id/mail', handler: () => 'ok' });
    alpha.action({ module: 'demo', action: 'echo', handler: () => 'ok' });
    h.server.forBundle('gamma').route({ method: 'GET', path: '/gamma/:id', handler: () => 'ok' });
    h.server.forBundle('beta').onRawRequest?.((req, res) => {
      if (!req.url?.startsWith('/raw-proto/')) return false;
      res.end('raw answer');
      return true;
    });
  });
  after(async () => {
    await h.server.close();
  });

  /** The timing is reported when the response has finished, which may be after the client read it. */
  async function timingOf(path: string, init?: RequestInit): Promise<RequestTiming> {
    timings.length = 0;
    const done = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    await call(`${h.base}${path}`, init);
    await done;
    assert.equal(timings.length, 1);
    return timings[0]!;
  }

  it('names the route pattern, never the raw path', async () => {
    const timing = await timingOf('/users/u-1234/mail?x=1');
    assert.deepEqual({ ...timing, seconds: typeof timing.seconds }, { method: 'GET', route: '/users/:id/mail', status: 200, seconds: 'number', bundle: 'alpha' });
    assert.ok(timing.seconds >= 0);
  });

  it('names module actions as <module>?action=<action>', async () => {
    const timing = await timingOf('/appsuite/api/demo?action=echo&session=abc', { method: 'POST' });
    assert.equal(timing.route, 'demo?action=echo');
    assert.equal(timing.method, 'POST');
    assert.equal(timing.bundle, 'alpha');
  });

  it('keeps /health as it is and names raw takeovers raw', async () => {
    assert.equal((await timingOf('/health')).route, '/health');
    const raw = await timingOf('/raw-proto/some/session/id');
    assert.equal(raw.route, 'raw');
    assert.equal(raw.bundle, 'beta');
  });

  it('names 404s, 405s, unknown modules and actions unmatched, with no bundle', async () => {
    for (const [path, method, status] of [
      [`/random-${Math.random().toString(36).slice(2)}`, 'GET', 404],
      ['/users/u-1/mail', 'DELETE', 405],
      ['/appsuite/api/nosuchmodule?action=x', 'GET', 404],
      ['/appsuite/api/demo?action=nosuchaction', 'GET', 400],
    ] as const) {
      const timing = await timingOf(path, { method });
      assert.deepEqual([timing.route, timing.status, timing.bundle], ['unmatched', status, undefined], `${method} ${path}`);
    }
  });

  it('measures a 503 of an inactive bundle under its route pattern', async () => {
    const timing = await timingOf('/gamma/42');
    assert.deepEqual([timing.route, timing.status, timing.bundle], ['/gamma/:id', 503, 'gamma']);
  });

  it('reports nothing while nobody observes', { timeout: 10_000 }, async () => {
    observed = false;
    timings.length = 0;
    try {
      await call(`${h.base}/users/u-2/mail`);
      // The log line is written in the same call that would report, right before it.
      while (!h.logLines().some((line) => line['msg'] === 'request completed' && line['url'] === '/users/u-2/mail')) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(timings.length, 0);
    } finally {
      observed = true;
    }
  });
});

/** Writes raw bytes and collects the answer until the server closes the connection. */
function rawExchange(base: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(bytes));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => { answer += chunk; });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

// Found by the fuzz suites (test/fuzz): requests the HTTP parser or fastify's router refused were
// answered by fastify's defaults without a Keel code (and the parser's answer with a body even for
// HEAD, which the client then misread).
describe('HTTP server: requests refused before routing', () => {
  let h: Harness;
  before(async () => {
    h = await startServer();
  });
  after(async () => {
    await h.server.close();
  });

  it('answers oversized headers 431 KEEL-HTTP-HEADERS-SIZE as JSON', async () => {
    const answer = await rawExchange(h.base, `GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: ${'p'.repeat(20_000)}\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 431 /);
    assert.match(answer, /content-type: application\/json; charset=utf-8/i);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { code: string; error: string };
    assert.equal(body.code, 'KEEL-HTTP-HEADERS-SIZE');
    assert.match(body.error, /larger than \d+ bytes/);
  });

  it('answers a broken request 400 KEEL-HTTP-MALFORMED', async () => {
    const answer = await rawExchange(h.base, 'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.equal((JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { code: string }).code, 'KEEL-HTTP-MALFORMED');
  });

  it('answers a path that cannot be decoded 400 KEEL-HTTP-BAD-URL in the Keel error form', async () => {
    const rest = await call(`${h.base}/admin/%E0%A4%A`);
    assert.equal(rest.status, 400);
    assert.deepEqual(rest.json(), { error: 'The request path cannot be decoded (FST_ERR_BAD_URL)', code: 'KEEL-HTTP-BAD-URL' });
    const action = await call(`${h.base}/appsuite/api/%E0%A4%A?action=get`);
    assert.equal(action.status, 400);
    assert.equal((action.json() as { code: string; error_params: unknown[] }).code, 'KEEL-HTTP-BAD-URL');
  });

  it('sends no body to a HEAD request, so a client can read the answer', async () => {
    const { hostname, port } = new URL(h.base);
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest({ host: hostname, port: Number(port), method: 'HEAD', path: '/health', headers: { 'x-padding': 'p'.repeat(20_000) } }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', reject);
      request.end();
    });
    assert.equal(status, 431);
  });
});
