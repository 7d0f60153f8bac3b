import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { contextServiceRef, userServiceRef, type Context, type ContextService, type UserService } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import sessiond from '../src/index.js';
import { createRecorder } from './recorder.js';
import { eventually, loadBundle, login, loginClient, logout, whoami } from './support.js';

describe('sessiond: login, session use and logout over HTTP', () => {
  let kernel: TestKernel;
  let contexts: ContextService;
  let users: UserService;
  let context: Context;
  const recorder = createRecorder();

  before(async () => {
    kernel = await startTestKernel({
      bundles: {
        'storage-sql': await loadBundle('storage-sql'),
        auth: await loadBundle('auth'),
        'auth-database': await loadBundle('auth-database'),
        sessiond,
        recorder: recorder.bundle,
      },
      properties: {
        'keel.auth.maxFailures': '3',
        'keel.auth.baseDelayMs': '1',
        'keel.auth.maxDelayMs': '5',
      },
    });
    contexts = kernel.get(contextServiceRef)!;
    users = kernel.get(userServiceRef)!;
    context = await contexts.create({ name: 'example', loginMappings: ['example.com', 'defaultcontext'] });
    await users.create(context.id, { login: 'alice', password: 'alice-secret', displayName: 'Alice', email: 'alice@example.com', aliases: ['a@example.com'] });
    await users.create(context.id, { login: 'bob', password: 'bob-secret', displayName: 'Bob', email: 'bob@example.com' });
  });

  after(async () => {
    await kernel?.stop();
  });

  it('logs in, answers the ids and sets the secret cookie', async () => {
    const answer = await login(kernel.url, 'alice@example.com', 'alice-secret');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.match(String(answer.body['session']), /^[0-9a-f]{32}$/);
    assert.equal(answer.body['context_id'], context.id);
    assert.equal(typeof answer.body['user_id'], 'number');
    assert.equal(answer.body['locale'], 'en_US');
    const secrets = [...answer.cookies].filter(([name]) => name.startsWith('open-xchange-secret-'));
    assert.equal(secrets.length, 1);
    const [name, cookie] = secrets[0]!;
    assert.match(name, /^open-xchange-secret-[0-9a-f]{32}$/);
    assert.match(cookie.value, /^[0-9a-f]{32}$/);
    assert.match(cookie.attributes, /HttpOnly/i);
    assert.match(cookie.attributes, /Path=\//i);
    assert.match(cookie.attributes, /SameSite=Lax/i);
  });

  it('resolves a plain login in the default context and a mail alias', async () => {
    const plain = await loginClient(kernel.url, 'alice', 'alice-secret');
    const alias = await loginClient(kernel.url, 'a@example.com', 'alice-secret');
    assert.equal(plain.userId, alias.userId);
    assert.equal(plain.contextId, context.id);
  });

  it('uses the session only with its secret cookie', async () => {
    const client = await loginClient(kernel.url, 'bob@example.com', 'bob-secret');
    const ok = await whoami(kernel.url, client.session, client.cookie);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual([(ok.body['data'] as Record<string, unknown>)['user_id'], (ok.body['data'] as Record<string, unknown>)['context_id']], [client.userId, client.contextId]);

    const noCookie = await whoami(kernel.url, client.session);
    assert.equal(noCookie.status, 403);
    assert.equal(noCookie.body['code'], 'SES-0205');

    const wrongCookie = await whoami(kernel.url, client.session, `${client.cookie.split('=')[0]}=${'0'.repeat(32)}`);
    assert.equal(wrongCookie.status, 403);
    assert.equal(wrongCookie.body['code'], 'SES-0205');

    const unknown = await whoami(kernel.url, 'f'.repeat(32), client.cookie);
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body['code'], 'SES-0203');
    assert.ok(Array.isArray(unknown.body['error_params']));

    const missing = await fetch(`${kernel.url}/appsuite/api/session?action=whoami`, { headers: { cookie: client.cookie } });
    assert.equal(missing.status, 401);
    assert.equal(((await missing.json()) as { code: string }).code, 'SES-0203');
  });

  it('answers one generic LGI-0006 for a wrong password and an unknown user', async () => {
    const wrongPassword = await login(kernel.url, 'alice@example.com', 'not-her-password');
    const unknownUser = await login(kernel.url, 'nobody@example.com', 'whatever');
    assert.equal(wrongPassword.status, 401);
    assert.equal(unknownUser.status, 401);
    assert.equal(wrongPassword.body['code'], 'LGI-0006');
    assert.deepEqual(unknownUser.body, wrongPassword.body);
    assert.equal(wrongPassword.cookies.size, 0);
  });

  it('requires name and password (LGI-0001)', async () => {
    const response = await fetch(`${kernel.url}/appsuite/api/login?action=login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'alice' }),
    });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { code: string }).code, 'LGI-0001');
  });

  it('locks a login out after too many failures (LGI-0020, 429)', async () => {
    await users.create(context.id, { login: 'carol', password: 'carol-secret', displayName: 'Carol', email: 'carol@example.com' });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const failed = await login(kernel.url, 'carol@example.com', `guess-${attempt}`);
      assert.equal(failed.body['code'], 'LGI-0006', `attempt ${attempt}`);
    }
    // Even the right password is refused while the lockout lasts.
    const locked = await login(kernel.url, 'carol@example.com', 'carol-secret');
    assert.equal(locked.status, 429);
    assert.equal(locked.body['code'], 'LGI-0020');
    assert.ok(Number((locked.body['error_params'] as unknown[])[0]) > 0);
    // Other logins from the same address still work.
    assert.equal((await login(kernel.url, 'bob@example.com', 'bob-secret')).status, 200);
  });

  it('refuses users of disabled contexts (LGI-0010)', async () => {
    const other = await contexts.create({ name: 'other', loginMappings: ['other.example'] });
    await users.create(other.id, { login: 'erin', password: 'erin-secret', displayName: 'Erin', email: 'erin@other.example' });
    await contexts.update(other.id, { enabled: false });
    const disabledContext = await login(kernel.url, 'erin@other.example', 'erin-secret');
    assert.equal(disabledContext.status, 403, JSON.stringify(disabledContext.body));
    assert.equal(disabledContext.body['code'], 'LGI-0010');
    assert.equal((await login(kernel.url, 'erin@other.example', 'wrong')).body['code'], 'LGI-0006');
  });

  it('refuses disabled users (LGI-0010) only to someone who knows the password', async (t) => {
    const dave = await users.create(context.id, { login: 'dave', password: 'dave-secret', displayName: 'Dave', email: 'dave@example.com' });
    await users.update(context.id, dave.id, { enabled: false });
    if (!(await users.verifyPassword(context.id, dave.id, 'dave-secret', { includeDisabled: true }))) {
      t.skip('SKIPPED LOUDLY: this UserService ignores verifyPassword({ includeDisabled: true }), so a disabled user looks like a wrong password (LGI-0006)');
      return;
    }
    const disabledUser = await login(kernel.url, 'dave@example.com', 'dave-secret');
    assert.equal(disabledUser.status, 403, JSON.stringify(disabledUser.body));
    assert.equal(disabledUser.body['code'], 'LGI-0010');
    // A wrong password tells nothing about the account.
    assert.equal((await login(kernel.url, 'dave@example.com', 'wrong')).body['code'], 'LGI-0006');
  });

  it('logs out: the session is gone, the cookie cleared and the hooks fired', async () => {
    const client = await loginClient(kernel.url, 'bob@example.com', 'bob-secret');
    assert.ok(recorder.added.some((session) => session.sessionId === client.session), 'sessions.added fired');
    const answer = await logout(kernel.url, client);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const cleared = answer.cookies.get(client.cookie.split('=')[0]!);
    assert.ok(cleared !== undefined && cleared.value === '', 'secret cookie cleared');
    assert.equal((await whoami(kernel.url, client.session, client.cookie)).body['code'], 'SES-0203');
    assert.equal(recorder.removalOf(client.session)?.reason, 'logout');
  });

  it('logout needs the secret cookie too', async () => {
    const client = await loginClient(kernel.url, 'bob@example.com', 'bob-secret');
    const response = await fetch(`${kernel.url}/appsuite/api/login?action=logout&session=${client.session}`, { method: 'POST' });
    assert.equal(response.status, 403);
    assert.equal((await whoami(kernel.url, client.session, client.cookie)).status, 200);
  });

  it('removes the sessions of a deleted user', async () => {
    const frank = await users.create(context.id, { login: 'frank', password: 'frank-secret', displayName: 'Frank', email: 'frank@example.com' });
    const client = await loginClient(kernel.url, 'frank@example.com', 'frank-secret');
    await users.delete(context.id, frank.id);
    const removal = await eventually(() => recorder.removalOf(client.session), 'the removal of the deleted user\'s session');
    assert.equal(removal.reason, 'user-deleted');
    assert.equal((await whoami(kernel.url, client.session, client.cookie)).body['code'], 'SES-0203');
  });

  it('keeps the login password on the session only while a bundle asks for it', async () => {
    const without = await loginClient(kernel.url, 'alice@example.com', 'alice-secret');
    assert.equal((await recorder.sessions.get(without.session))?.password, undefined);
    const release = recorder.sessions.retainPasswords('test');
    const withPassword = await loginClient(kernel.url, 'alice@example.com', 'alice-secret');
    assert.equal((await recorder.sessions.get(withPassword.session))?.password, 'alice-secret');
    release();
    await eventually(async () => ((await recorder.sessions.get(withPassword.session))?.password === undefined ? true : undefined), 'the password to be dropped');
  });
});
