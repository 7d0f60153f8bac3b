import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { describeSecretLeaks, findSecretLeaks, freePort, type LoggedSecret } from '../harness/index.js';
import { API, CONTEXT_ID, MASTER_LOGIN, MASTER_PASSWORD, USER_MAIL, USER_PASSWORD, basic, login, send, sendRaw, startFuzzServer, startReceiver, type FuzzServer } from '../fuzz/support.js';

// Secrets never reach the log, even at KEEL_LOG_LEVEL=trace: the server is exercised with every kind
// of secret it handles, right and wrong, then every log line is scanned for each value (as sent,
// URL-encoded, form-encoded, JSON-escaped, base64, and inside Basic credentials).
//
// Not treated as secrets: session ids (they appear in request URLs, as in the original middleware's
// logs; a session is useless without its secret cookie, which is a secret here) and logins.
const WRONG_PASSWORD = 'wrong-but-close passw0rd';
const WRONG_MASTER = 'not-the-master-pw-31';
const REST_LOGIN = 'dovecot-logs';
const REST_PASSWORD = 'rest-log-secret-c9d2';
const WRONG_REST = 'rest-wrong-secret-0e4a';
const AIS_LOGIN = 'mailstore-logs';
const AIS_PASSWORD = 'ais-log-secret-6b13';
const WRONG_AIS = 'ais-wrong-secret-99ae';
const PASSCRYPT = 'credstorage-passcrypt-f00d1e';
const PUSH_PASSWORD = 'imap-push-password-2c7b';
const WEBHOOK_SECRET = 'webhook-auth-secret-11aa';
const SIGNATURE_SECRET = 'webhook-sign-secret-22bb';
const WEBHOOK_PASSWORD = 'webhook-basic-pass-33cc';

describe('secrets never appear in the log at trace level', () => {
  let server: FuzzServer | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  const secrets: LoggedSecret[] = [
    { name: 'wrong user password', value: WRONG_PASSWORD, basicLogin: USER_MAIL },
    { name: 'wrong master password', value: WRONG_MASTER, basicLogin: MASTER_LOGIN },
    { name: 'REST password', value: REST_PASSWORD, basicLogin: REST_LOGIN },
    { name: 'wrong REST password', value: WRONG_REST, basicLogin: REST_LOGIN },
    { name: 'integration account password', value: AIS_PASSWORD, basicLogin: AIS_LOGIN },
    { name: 'wrong integration account password', value: WRONG_AIS, basicLogin: AIS_LOGIN },
    { name: 'credential storage passcrypt', value: PASSCRYPT },
    { name: 'push registration password', value: PUSH_PASSWORD },
    { name: 'webhook secret', value: WEBHOOK_SECRET },
    { name: 'webhook signature secret', value: SIGNATURE_SECRET },
    { name: 'webhook Basic password', value: WEBHOOK_PASSWORD, basicLogin: 'hooklogin' },
  ];

  before(async () => {
    receiver = await startReceiver();
    const { port } = receiver;
    server = await startFuzzServer({
      properties: {
        'com.openexchange.rest.services.basic-auth.login': REST_LOGIN,
        'com.openexchange.rest.services.basic-auth.password': REST_PASSWORD,
        'com.openexchange.push.credstorage.enabled': 'true',
        'com.openexchange.push.credstorage.passcrypt': PASSCRYPT,
        'com.openexchange.webhooks.enabledIds': 'secrethook, basichook',
        'com.openexchange.pns.transport.webhooks.httpsOnly': 'false',
        'com.openexchange.pns.transport.webhooks.allowLocalWebhooks': 'true',
        'com.openexchange.pns.delayDuration': '0',
        // Nothing listens there: the push listener's IMAP registration fails and retries (and logs it).
        'com.openexchange.mail.mailServer': `imap://127.0.0.1:${await freePort()}`,
        'keel.push.dovecot.registerRetryDelay': '50',
      },
      files: {
        'appintegration.yml': `logs:\n  login: ${AIS_LOGIN}\n  password: "${AIS_PASSWORD}"\n  context: ${CONTEXT_ID}\n`,
        'webhooks.yml': [
          'secrethook:', `  uri: http://127.0.0.1:${port}/hook`, `  webhookSecret: ${WEBHOOK_SECRET}`, `  signatureSecret: ${SIGNATURE_SECRET}`,
          'basichook:', `  uri: http://127.0.0.1:${port}/basic`, '  login: hooklogin', `  password: ${WEBHOOK_PASSWORD}`,
        ].join('\n') + '\n',
      },
      env: { KEEL_LOG_LEVEL: 'trace' },
    });
  });

  after(async () => {
    await server?.keel.stop();
    await receiver?.close();
  });

  test('logins, admin calls, integration auth, push registrations, webhooks, sockets: no secret in any log line', async () => {
    const { keel, session } = server!;
    const url = keel.url;
    const master = basic(MASTER_LOGIN, MASTER_PASSWORD);
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const statuses: Record<string, number> = {};
    const call = async (name: string, path: string, init: RequestInit = {}) => {
      const response = await fetch(`${url}${path}`, init);
      await response.arrayBuffer();
      statuses[name] = response.status;
      return response.status;
    };

    // Logins: right and wrong passwords, as a form, as JSON, as broken JSON, and (wrongly) in the query.
    const formType = { 'content-type': 'application/x-www-form-urlencoded' };
    const jsonType = { 'content-type': 'application/json' };
    const fresh = await login(url, USER_MAIL, USER_PASSWORD);
    secrets.push({ name: 'secret cookie of a second login', value: fresh.secret });
    await call('wrong login', `${API}/login?action=login`, { method: 'POST', headers: formType, body: form({ name: USER_MAIL, password: WRONG_PASSWORD }) });
    await call('json login', `${API}/login?action=login`, { method: 'POST', headers: jsonType, body: JSON.stringify({ name: USER_MAIL, password: USER_PASSWORD }) });
    for (const broken of [`{"name":"${USER_MAIL}","password":"${USER_PASSWORD}"`, `{"name":"${USER_MAIL}","password":"${WRONG_PASSWORD}" x}`, `{"password":${USER_PASSWORD}}`, `{"password":"${WRONG_PASSWORD}",}`]) {
      await call('broken json login', `${API}/login?action=login`, { method: 'POST', headers: jsonType, body: broken });
    }
    await call('query login', `${API}/login?action=login&name=${encodeURIComponent(USER_MAIL)}&password=${encodeURIComponent(WRONG_PASSWORD)}`, { method: 'POST', headers: formType, body: '' });
    await call('query login (PASSWORD)', `${API}/login?action=login&PASSWORD=${encodeURIComponent(USER_PASSWORD)}`, { method: 'POST', headers: formType, body: form({ name: USER_MAIL, password: USER_PASSWORD }) });

    // The session and its secret cookie in use, right and wrong.
    await call('whoami', `${API}/session?action=whoami&session=${session.id}`, { headers: { cookie: session.cookie } });
    await call('whoami wrong cookie', `${API}/session?action=whoami&session=${session.id}`, { headers: { cookie: `${session.cookie}x` } });
    await call('logout second', `${API}/login?action=logout&session=${fresh.id}`, { headers: { cookie: fresh.cookie } });

    // The master password: admin calls right and wrong.
    await call('admin bundles', '/admin/v1/bundles', { headers: { authorization: master } });
    await call('admin wrong', '/admin/v1/bundles', { headers: { authorization: basic(MASTER_LOGIN, WRONG_MASTER) } });
    await call('admin password change', `/admin/v1/contexts/${CONTEXT_ID}/users/${session.userId}/password`, { method: 'PUT', headers: { authorization: master, 'content-type': 'application/json' }, body: JSON.stringify({ password: USER_PASSWORD }) });

    // Application Integration: account credentials and cmd=auth with user passwords.
    const ais = basic(AIS_LOGIN, AIS_PASSWORD);
    await call('ais list', '/mailstore-integration/', { method: 'POST', headers: { authorization: ais, ...formType }, body: form({ cmd: 'list' }) });
    await call('ais auth right', '/mailstore-integration/', { method: 'POST', headers: { authorization: ais, ...formType }, body: form({ cmd: 'auth', user: USER_MAIL, pass: USER_PASSWORD }) });
    await call('ais auth wrong', '/mailstore-integration/', { method: 'POST', headers: { authorization: ais, ...formType }, body: form({ cmd: 'auth', user: USER_MAIL, pass: WRONG_PASSWORD }) });
    await call('ais wrong account', '/mailstore-integration/', { method: 'POST', headers: { authorization: basic(AIS_LOGIN, WRONG_AIS), ...formType }, body: form({ cmd: 'list' }) });
    await call('ais json', '/mailstore-integration/', { method: 'POST', headers: { authorization: ais, ...jsonType }, body: JSON.stringify({ cmd: 'auth', user: USER_MAIL, pass: USER_PASSWORD }) });

    // Push: a permanent registration with credentials (stored encrypted under the passcrypt); the
    // listener's IMAP registration fails against a closed port and is retried.
    await call('push registration', '/admin/v1/push/registrations', { method: 'POST', headers: { authorization: master, ...jsonType }, body: JSON.stringify({ contextId: CONTEXT_ID, userId: session.userId, client: 'open-xchange-mobile-api-facade', login: USER_MAIL, password: PUSH_PASSWORD }) });
    await call('push registration broken', '/admin/v1/push/registrations', { method: 'POST', headers: { authorization: master, ...jsonType }, body: `{"contextId":${CONTEXT_ID},"userId":"x","client":"c","password":"${PUSH_PASSWORD}"` });

    // Dovecot's notify endpoint with the REST credentials, right and wrong.
    const notify = JSON.stringify({ user: `${session.userId}@${CONTEXT_ID}`, event: 'messageNew', folder: 'INBOX', 'imap-uid': 7, subject: 'hello' });
    await call('notify', '/preliminary/http-notify/v1/notify', { method: 'PUT', headers: { authorization: basic(REST_LOGIN, REST_PASSWORD), ...jsonType }, body: notify });
    await call('notify wrong', '/preliminary/http-notify/v1/notify', { method: 'PUT', headers: { authorization: basic(REST_LOGIN, WRONG_REST), ...jsonType }, body: notify });

    // Webhook subscriptions and deliveries (Authorization secret, signature, Basic).
    for (const client of ['secrethook', 'basichook']) {
      await call(`subscribe ${client}`, `${API}/pns?action=subscribe&session=${session.id}`, { method: 'PUT', headers: { cookie: session.cookie, ...jsonType }, body: JSON.stringify({ client, token: '', transport: 'webhook', topics: ['*'] }) });
    }
    await call('pns send', '/admin/v1/pns/send', { method: 'POST', headers: { authorization: master, ...jsonType }, body: JSON.stringify({ contextId: CONTEXT_ID, userId: session.userId, topic: 'ox:mail:new', data: { subject: 'x' } }) });

    // A Socket.IO connection with the session and its cookie, and one with a wrong cookie.
    for (const cookie of [session.cookie, `${session.cookie.split('=')[0]}=${WRONG_PASSWORD.replace(/ /g, '')}x`]) {
      const socket = io(url, { path: '/socket.io/appsuite', transports: ['websocket'], query: { session: session.id }, extraHeaders: { cookie }, forceNew: true, reconnection: false });
      await new Promise<void>((resolve) => {
        socket.on('connect', () => resolve());
        socket.on('connect_error', () => resolve());
      });
      socket.close();
    }

    // Requests node's HTTP parser refuses (fastify logs those at trace), carrying credentials.
    const huge = 'h'.repeat(20_000);
    await send(keel.port, { method: 'GET', target: '/admin/v1/bundles', headers: { authorization: master, 'x-padding': huge } });
    await send(keel.port, { method: 'POST', target: `${API}/login?action=login`, headers: { cookie: session.cookie, 'x-padding': huge, ...formType }, body: form({ name: USER_MAIL, password: USER_PASSWORD }) });
    await sendRaw(keel.port, Buffer.from(`POST /mailstore-integration/ HTTP/1.1\r\nHost: x\r\nAuthorization: ${ais}\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\ncmd=list`, 'latin1'));

    // What the calls answered, so a silently broken setup cannot pass by exercising nothing.
    assert.equal(statuses['whoami'], 200);
    assert.equal(statuses['admin bundles'], 200);
    assert.equal(statuses['admin wrong'], 401);
    assert.equal(statuses['ais auth right'], 200);
    assert.equal(statuses['ais wrong account'], 401);
    assert.ok((statuses['push registration'] ?? 0) < 300, `push registration answered ${statuses['push registration']}`);
    assert.equal(statuses['notify'], 200);
    assert.equal(statuses['notify wrong'], 401);
    assert.equal(statuses['subscribe secrethook'], 200);
    assert.equal(statuses['subscribe basichook'], 200);
    assert.equal(statuses['pns send'], 200);
    // Let the background work (push listener retries, deliveries) log what it logs.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    assert.equal(await keel.stop(), 0);
    const log = keel.log();
    assert.ok(log.includes('"level":"debug"'), 'the log is at least at debug level (it was started at trace)');
    const leaks = describeSecretLeaks(findSecretLeaks(log, [...server!.secrets, ...secrets]));
    assert.equal(leaks, undefined, leaks);
  });
});
