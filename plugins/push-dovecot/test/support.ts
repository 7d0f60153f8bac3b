// Kernels for push-dovecot's tests: the real directory, sessions, admin, PNS, REST guard, IMAP access
// and push framework, plus (where a test needs to see what the PNS delivers) the test kit's recording
// transport bundle, the way any partner's transport plugs in.
import {
  contextServiceRef, pushServiceRef, sessionServiceRef, userServiceRef,
  type ContextService, type DefinedBundle, type PushService, type SessionService, type UserService,
} from '@keel/plugin-sdk';
import { loadBundle, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import pushDovecot from '../src/index.js';

export const MASTER = { login: 'oxadminmaster', password: 'master-secret' };
export const REST = { login: 'dovecot', password: 'push-secret' };
export const NOTIFY_PATH = '/preliminary/http-notify/v1/notify';

export const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

export interface DovecotKernel {
  kernel: TestKernel;
  push: PushService;
  sessions: SessionService;
  contexts: ContextService;
  users: UserService;
}

export const BASE_PROPERTIES: Record<string, string> = {
  'com.openexchange.rest.services.basic-auth.login': REST.login,
  'com.openexchange.rest.services.basic-auth.password': REST.password,
  'com.openexchange.pns.delayDuration': '0',
  'com.openexchange.pns.timerFrequency': '10',
};

/** The whole mail push stack with push-dovecot; `extra` adds bundles (transports, websockets). */
export async function startDovecotKernel(extra: Record<string, DefinedBundle<any, any>>, properties: Record<string, string>): Promise<DovecotKernel> {
  const names = ['storage-sql', 'auth', 'auth-database', 'sessiond', 'admin', 'pns-impl', 'rest', 'mail-imap', 'push'];
  const bundles: Record<string, DefinedBundle<any, any>> = {};
  for (const name of names) bundles[name] = await loadBundle(name);
  const kernel = await startTestKernel({
    bundles: { ...bundles, 'push-dovecot': pushDovecot, ...extra },
    properties: { ...BASE_PROPERTIES, ...properties },
    files: { mpasswd: `${MASTER.login}:{PLAIN}${MASTER.password}\n` },
    startTimeoutMs: 20_000,
  });
  for (const name of [...names, 'push-dovecot', ...Object.keys(extra)]) {
    const info = kernel.bundle(name);
    if (info?.state !== 'ACTIVE') {
      await kernel.stop();
      throw new Error(`${name} did not start: ${info?.error?.code} ${info?.error?.message}`);
    }
  }
  return {
    kernel,
    push: kernel.get(pushServiceRef)!,
    sessions: kernel.get(sessionServiceRef)!,
    contexts: kernel.get(contextServiceRef)!,
    users: kernel.get(userServiceRef)!,
  };
}

export async function notify(url: string, body: string | undefined, options: { method?: string; path?: string; authorization?: string | null; contentType?: string | null } = {}) {
  const headers: Record<string, string> = {};
  const authorization = options.authorization === undefined ? basic(REST.login, REST.password) : options.authorization;
  if (authorization !== null) headers['authorization'] = authorization;
  const contentType = options.contentType === undefined ? 'application/json; charset=utf-8' : options.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const response = await fetch(`${url}${options.path ?? NOTIFY_PATH}`, { method: options.method ?? 'PUT', headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    parsed = { text };
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export async function eventually<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, limitMs = 15_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
