// Kernels for the push bundle's tests: the real storage, sessions, admin and push bundles, plus a
// probe push manager (an in-test bundle like any partner's) that records what the framework does.
import {
  clusterMembershipRef, contextServiceRef, defineBundle, pushManagerRef, pushServiceRef, sessionServiceRef, userServiceRef,
  type ClusterMembership, type ContextService, type DefinedBundle, type PushListenerRequest, type PushListenerStopReason,
  type PushService, type SessionService, type UserService,
} from '@keel/plugin-sdk';
import { loadBundle, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import push from '../src/index.js';

export const MASTER = { login: 'oxadminmaster', password: 'master-secret' };

export interface ProbeEvent {
  type: 'start' | 'stop';
  manager: string;
  contextId: number;
  userId: number;
  permanent: boolean;
  client: string;
  sessionId?: string;
  password?: string;
  reason?: PushListenerStopReason | undefined;
}

/** A push manager that serves everyone and records starts and stops. */
export function probeManager(events: ProbeEvent[], options: { name?: string; permanent?: boolean; holdsResources?: boolean } = {}): DefinedBundle<any, any> {
  const name = options.name ?? 'probe';
  return defineBundle({
    provides: [pushManagerRef],
    start({ register }) {
      register(pushManagerRef, {
        name,
        holdsResources: options.holdsResources ?? true,
        supportsPermanentListeners: () => options.permanent ?? true,
        async startListener(request: PushListenerRequest) {
          const { contextId, userId, permanent, client, sessionId, password } = request;
          events.push({ type: 'start', manager: name, contextId, userId, permanent, client, ...(sessionId ? { sessionId } : {}), ...(password !== undefined ? { password } : {}) });
          return {
            async stop(reason?: PushListenerStopReason) {
              events.push({ type: 'stop', manager: name, contextId, userId, permanent, client, reason });
            },
          };
        },
      });
    },
  });
}

/** A membership whose member list the test changes. */
export function testMembership(selfId: string, initial: string[]) {
  let members = [...initial];
  const listeners = new Set<() => void>();
  const membership: ClusterMembership = {
    selfId,
    members: () => members,
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
  return {
    membership,
    set(next: string[]) {
      members = [...next];
      for (const listener of listeners) listener();
    },
    bundle: defineBundle({
      provides: [clusterMembershipRef],
      start({ register }) {
        register(clusterMembershipRef, membership, { ranking: 10 });
      },
    }),
  };
}

export interface PushKernel {
  kernel: TestKernel;
  push: PushService;
  sessions: SessionService;
  contexts: ContextService;
  users: UserService;
  stop(): Promise<void>;
}

/** storage-sql (SQLite in the kernel's data dir unless `keel.database.url` is given), auth, sessiond, admin, push and `extra`. */
export async function startPushKernel(extra: Record<string, DefinedBundle<any, any>>, properties: Record<string, string> = {}, options: { requireActive?: boolean } = {}): Promise<PushKernel> {
  const kernel = await startTestKernel({
    bundles: {
      'storage-sql': await loadBundle('storage-sql'),
      auth: await loadBundle('auth'),
      'auth-database': await loadBundle('auth-database'),
      sessiond: await loadBundle('sessiond'),
      admin: await loadBundle('admin'),
      push,
      ...extra,
    },
    properties,
    files: { mpasswd: `${MASTER.login}:{PLAIN}${MASTER.password}\n` },
    startTimeoutMs: 20_000,
  });
  if (options.requireActive !== false && kernel.bundle('push')?.state !== 'ACTIVE') {
    const error = kernel.bundle('push')?.error;
    await kernel.stop();
    throw new Error(`push did not start: ${error?.code} ${error?.message}`);
  }
  return {
    kernel,
    push: kernel.get(pushServiceRef)!,
    sessions: kernel.get(sessionServiceRef)!,
    contexts: kernel.get(contextServiceRef)!,
    users: kernel.get(userServiceRef)!,
    stop: () => kernel.stop(),
  };
}

/** Polls until `probe` gives a value (bounded; outcomes are asserted, never times). */
export async function eventually<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, limitMs = 15_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

export async function admin(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/admin/v1${path}`, {
    method,
    headers: { authorization: basic(MASTER.login, MASTER.password), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** A context `example.com` with users (login = name, password `<name>-secret`). */
export async function createUsers(kernel: PushKernel, names: readonly string[], mapping = 'example.com') {
  const context = await kernel.contexts.create({ name: mapping, loginMappings: [mapping] });
  const created = [];
  for (const name of names) {
    created.push(await kernel.users.create(context.id, { login: name, password: `${name}-secret`, displayName: name, email: `${name}@${mapping}` }));
  }
  return { context, users: created.map((user) => ({ contextId: user.contextId, userId: user.id, login: user.login })) };
}
