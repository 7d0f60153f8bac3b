// Test kit of push-imapidle: a private Dovecot from the harness, the real kernel with the real
// storage (SQLite), mail-imap, push and pns-impl with a recording PushTransport, and the bundle
// under test.
import { contextServiceRef, pushManagerRef, userServiceRef, type Context, type UserService } from '@keel/plugin-sdk';
import { loadBundle, recordingTransport, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import type { DovecotServer } from '@keel/test/harness';
import imapIdleBundle, { type ImapIdlePushManager, type ListenerStatus } from '../src/index.js';

export const MASTER = { login: 'oxadminmaster', password: 'master-secret' } as const;

/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
export { loadBundle };

/** Polls until `probe` gives a value (bounded; only the outcome is asserted, never the time). */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, limitMs = 20_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What reached the user: through the real PNS and a recording transport, or a recording stand-in PNS. */
export interface Received {
  contextId: number;
  userId: number;
  topic: string;
  messageData: Record<string, unknown>;
}

export interface ImapIdleKernel {
  kernel: TestKernel;
  manager: ImapIdlePushManager;
  users: UserService;
  context: Context;
  /** Keel user ids by login. */
  ids: Record<string, number>;
  received: Received[];
  forUser(login: string): Received[];
  listener(login: string): ListenerStatus | undefined;
}

/** Test defaults: quick cycles and retries so the tests stay short (nothing asserts on time). */
export const FAST_SETTINGS: Record<string, string> = {
  'com.openexchange.push.imapidle.delay': '50',
  'com.openexchange.push.imapidle.reconnectDelayMillis': '100',
  'com.openexchange.push.imapidle.maxReconnectDelayMillis': '800',
  'com.openexchange.push.imapidle.timeoutMillis': '10000',
  'com.openexchange.push.imapidle.connectsPerSecond': '0',
};

/** Keel users get the password `<login>-secret`. `extraBundles`: more sibling bundles to load (e.g. cluster-redis). */
export async function startImapIdleKernel(
  dovecot: Pick<DovecotServer, 'host' | 'imapPort'>,
  logins: readonly string[],
  properties: Record<string, string> = {},
  extraBundles: readonly string[] = [],
): Promise<ImapIdleKernel> {
  const received: Received[] = [];
  const record = ({ contextId, userId, topic, messageData }: Received) => void received.push({ contextId, userId, topic, messageData });
  const kernel = await startTestKernel({
    bundles: {
      'storage-sql': await loadBundle('storage-sql'),
      auth: await loadBundle('auth'),
      'auth-database': await loadBundle('auth-database'),
      sessiond: await loadBundle('sessiond'),
      admin: await loadBundle('admin'),
      'pns-impl': await loadBundle('pns-impl'),
      'test-recorder': recordingTransport(record),
      push: await loadBundle('push'),
      'mail-imap': await loadBundle('mail-imap'),
      ...Object.fromEntries(await Promise.all(extraBundles.map(async (name) => [name, await loadBundle(name)] as const))),
      'push-imapidle': imapIdleBundle,
    },
    properties: {
      ...FAST_SETTINGS,
      'com.openexchange.mail.mailServer': `imap://${dovecot.host}:${dovecot.imapPort}`,
      'com.openexchange.mail.loginSource': 'login',
      'com.openexchange.mail.passwordSource': 'session',
      'com.openexchange.pns.delayDuration': '0',
      'com.openexchange.pns.timerFrequency': '10',
      ...properties,
    },
    files: { mpasswd: `${MASTER.login}:{PLAIN}${MASTER.password}\n` },
    startTimeoutMs: 20_000,
  });
  try {
    if (kernel.bundle('push-imapidle')?.state !== 'ACTIVE') throw new Error(`push-imapidle did not start: ${JSON.stringify(kernel.bundle('push-imapidle')?.error)}`);
    const users = kernel.get(userServiceRef)!;
    const context = await kernel.get(contextServiceRef)!.create({ name: 'example', loginMappings: ['example.com'] });
    const ids: Record<string, number> = {};
    for (const login of logins) {
      ids[login] = (await users.create(context.id, { login, password: `${login}-secret`, displayName: login, email: `${login}@example.com` })).id;
    }
    const manager = kernel.getAll(pushManagerRef).find((m) => m.name === 'imapidle') as ImapIdlePushManager;
    return {
      kernel, manager, users, context, ids, received,
      forUser: (login) => received.filter((r) => r.userId === ids[login] && r.contextId === context.id),
      listener: (login) => manager.listeners().find((l) => l.userId === ids[login] && l.contextId === context.id),
    };
  } catch (error) {
    await kernel.stop();
    throw error;
  }
}

/** A small RFC 5322 message with an RFC 2047 sender name and subject. */
export function mailMessage(options: { fromName: string; fromAddress: string; subject: string; body: string }): string {
  const encode = (text: string) => `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`;
  return [
    `From: ${encode(options.fromName)} <${options.fromAddress}>`,
    `To: someone@example.com`,
    `Subject: ${encode(options.subject)}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@keel-test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    Buffer.from(options.body).toString('latin1').replace(/[\u0080-\u00ff=]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`),
    '',
  ].join('\r\n');
}

export interface Login { session: string; cookie: string }

/** Logs in over HTTP as a client (the push framework starts listeners for allowed clients' sessions). */
export async function login(url: string, name: string, password: string, client: string): Promise<Login> {
  const response = await fetch(`${url}/appsuite/api/login?action=login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'keel-push-imapidle-test/1.0' },
    body: new URLSearchParams({ name, password, client }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200 || typeof body['session'] !== 'string') throw new Error(`login of ${name} failed: ${response.status} ${JSON.stringify(body)}`);
  const cookie = response.headers.getSetCookie().map((line) => line.split(';')[0]!.trim()).find((pair) => pair.startsWith('open-xchange-secret-'));
  if (cookie === undefined) throw new Error(`login of ${name} set no secret cookie`);
  return { session: body['session'], cookie };
}

export async function logout(url: string, session: Login): Promise<void> {
  const response = await fetch(`${url}/appsuite/api/login?action=logout&session=${encodeURIComponent(session.session)}`, {
    method: 'POST',
    headers: { cookie: session.cookie, 'user-agent': 'keel-push-imapidle-test/1.0' },
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`logout failed: ${response.status}`);
}
