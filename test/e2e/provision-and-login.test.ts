import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startKeelProcess, type KeelProcess } from './server-process.js';

// Issue 3 end to end: an operator creates a context and a user with the CLI against a running
// server; the user logs in over HTTP, uses the session, and logs out.
describe('provision with the CLI, then log in over HTTP', () => {
  let keel: KeelProcess;
  let session = '';
  let cookie = '';

  before(async () => {
    keel = await startKeelProcess();
  });

  after(async () => {
    assert.equal(await keel.stop(), 0, 'SIGTERM exits 0');
  });

  test('keel context create and keel user create', async () => {
    const context = await keel.cli(['context', 'create', '-c', '42', '-N', 'acme', '-L', 'acme.example', '--json']);
    assert.equal(context.code, 0, context.stderr);
    assert.equal((JSON.parse(context.stdout) as { id: number }).id, 42);
    const user = await keel.cli(['user', 'create', '-c', '42', '-u', 'alice', '-d', 'Alice Example', '-e', 'alice@acme.example', '-p', 'correct horse battery']);
    assert.equal(user.code, 0, user.stderr);
    const list = await keel.cli(['user', 'list', '-c', '42']);
    assert.match(list.stdout, /alice/);
    const wrongMaster = await keel.cli(['user', 'list', '-c', '42', '-P', 'not-the-password']);
    assert.equal(wrongMaster.code, 4);
  });

  test('login answers a session and sets the secret cookie', async () => {
    const response = await fetch(`${keel.url}/appsuite/api/login?action=login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'alice@acme.example', password: 'correct horse battery' }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { session: string; user_id: number; context_id: number };
    assert.equal(body.context_id, 42);
    assert.ok(body.session.length >= 32);
    session = body.session;
    const secret = response.headers.getSetCookie().find((c) => c.startsWith('open-xchange-secret-'));
    assert.ok(secret, 'secret cookie set');
    cookie = secret.split(';')[0]!;
  });

  test('wrong password is refused with the generic error', async () => {
    const response = await fetch(`${keel.url}/appsuite/api/login?action=login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'alice@acme.example', password: 'wrong' }),
    });
    const body = (await response.json()) as { code: string };
    assert.equal(body.code, 'LGI-0006');
  });

  test('the session works with its cookie, not without', async () => {
    const ok = await fetch(`${keel.url}/appsuite/api/session?action=whoami&session=${session}`, { headers: { cookie } });
    assert.equal(ok.status, 200);
    const whoami = (await ok.json()) as { data: { context_id?: number; contextId?: number } };
    assert.equal(whoami.data.context_id ?? whoami.data.contextId, 42);
    const noCookie = (await (await fetch(`${keel.url}/appsuite/api/session?action=whoami&session=${session}`)).json()) as { code: string };
    assert.equal(noCookie.code, 'SES-0205');
  });

  test('logout ends the session', async () => {
    const logout = await fetch(`${keel.url}/appsuite/api/login?action=logout&session=${session}`, { headers: { cookie } });
    assert.ok(logout.status < 300);
    const after = (await (await fetch(`${keel.url}/appsuite/api/session?action=whoami&session=${session}`, { headers: { cookie } })).json()) as { code: string };
    assert.equal(after.code, 'SES-0203');
  });
});
