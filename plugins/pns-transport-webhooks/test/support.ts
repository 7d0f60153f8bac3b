// Test kit of the webhook transport: a local webhook receiver and the real kernel with the real
// storage, sessions, admin and pns-impl bundles.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  contextServiceRef, sessionServiceRef, subscriptionStoreRef, userServiceRef, type Session, type SessionService, type SubscriptionStore, type UserService,
} from '@keel/plugin-sdk';
import { loadBundle, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import webhookBundle from '../src/index.js';

export const MASTER = { login: 'oxadminmaster', password: 'master-secret' } as const;

/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
export { loadBundle };

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Never answer (read timeouts). */
  hang?: boolean;
}

/** A webhook receiver on 127.0.0.1: records every request; answers from a per-path script, else 200. */
export interface Receiver {
  readonly port: number;
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Answers for the next requests to `path`, in order. */
  script(path: string, ...answers: Answer[]): void;
  requestsTo(path: string): ReceivedRequest[];
  /** Resolves once `count` requests reached `path`. */
  waitFor(path: string, count: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startReceiver(tls?: { key: string; cert: string }): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const scripts = new Map<string, Answer[]>();
  const waiters: Array<() => void> = [];
  const hanging = new Set<ServerResponse>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      requests.push({ method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks) });
      for (const waiter of waiters.splice(0)) waiter();
      const answer = scripts.get(path)?.shift() ?? { status: 200 };
      if (answer.hang) {
        hanging.add(res);
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end('ok');
    });
  };
  const server: Server = tls === undefined ? createServer(handler) : createTlsServer(tls, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const requestsTo = (path: string) => requests.filter((r) => r.path === path);
  return {
    port,
    url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    requests,
    script: (path, ...answers) => void scripts.set(path, [...(scripts.get(path) ?? []), ...answers]),
    requestsTo,
    async waitFor(path, count) {
      const deadline = Date.now() + 20_000;
      while (requestsTo(path).length < count) {
        if (Date.now() > deadline) throw new Error(`gave up waiting for ${count} requests to ${path} (have ${requestsTo(path).length})`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return requestsTo(path);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface WebhookKernel {
  kernel: TestKernel;
  users: UserService;
  sessions: SessionService;
  store: SubscriptionStore;
  contextId: number;
  userIds: Record<string, number>;
  login(user: string): Promise<{ session: Session; cookie: string }>;
  stop(): Promise<void>;
}

/** storage-sql (SQLite), auth, auth-database, sessiond, admin, pns-impl and the webhook transport. */
export async function startWebhookKernel(options: { properties?: Record<string, string>; webhooksYml?: string }): Promise<WebhookKernel> {
  const kernel = await startTestKernel({
    bundles: {
      'storage-sql': await loadBundle('storage-sql'),
      auth: await loadBundle('auth'),
      'auth-database': await loadBundle('auth-database'),
      sessiond: await loadBundle('sessiond'),
      admin: await loadBundle('admin'),
      'pns-impl': await loadBundle('pns-impl'),
      'pns-transport-webhooks': webhookBundle,
    },
    properties: { 'com.openexchange.pns.delayDuration': '0', ...options.properties },
    files: {
      mpasswd: `${MASTER.login}:{PLAIN}${MASTER.password}\n`,
      ...(options.webhooksYml === undefined ? {} : { 'webhooks.yml': options.webhooksYml }),
    },
  });
  try {
    const failed = kernel.kernel.bundles().filter((b) => b.state !== 'ACTIVE');
    if (failed.length > 0) throw new Error(`bundles not active: ${failed.map((b) => `${b.name} ${b.state} ${b.error?.message ?? ''}`).join('; ')}`);
    const contexts = kernel.get(contextServiceRef)!;
    const users = kernel.get(userServiceRef)!;
    const sessions = kernel.get(sessionServiceRef)!;
    const context = await contexts.create({ name: 'example', loginMappings: ['example.com'] });
    const userIds: Record<string, number> = {};
    for (const name of ['alice', 'bob']) {
      userIds[name] = (await users.create(context.id, { login: name, password: `${name}-secret`, displayName: name, email: `${name}@example.com` })).id;
    }
    return {
      kernel, users, sessions, store: kernel.get(subscriptionStoreRef)!, contextId: context.id, userIds,
      async login(user) {
        const session = await sessions.create({ contextId: context.id, userId: userIds[user]!, loginName: user, client: 'open-xchange-appsuite', ip: '127.0.0.1' });
        return { session, cookie: `${sessions.cookieName(session)}=${session.secret}` };
      },
      stop: () => kernel.stop(),
    };
  } catch (error) {
    await kernel.stop();
    throw error;
  }
}

export async function subscribe(kit: WebhookKernel, user: string, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const login = await kit.login(user);
  const response = await fetch(`${kit.kernel.url}/appsuite/api/pns?action=subscribe&session=${encodeURIComponent(login.session.sessionId)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', cookie: login.cookie },
    body: JSON.stringify({ transport: 'webhook', topics: ['ox:mail:new', 'ox:calendar:updates'], ...body }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function adminSend(kit: WebhookKernel, userId: number, topic: string, data: Record<string, unknown>): Promise<number> {
  const response = await fetch(`${kit.kernel.url}/admin/v1/pns/send`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${MASTER.login}:${MASTER.password}`).toString('base64')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ contextId: kit.contextId, userId, topic, data }),
  });
  const body = (await response.json()) as { matches?: number };
  if (response.status !== 200) throw new Error(`pns send failed: ${response.status} ${JSON.stringify(body)}`);
  return body.matches!;
}
