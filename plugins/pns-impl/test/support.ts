// Test kit of pns-impl: the real kernel with the real storage, auth, sessions and admin bundles,
// a clock moved by hand, and a small real transport that records what it is given.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import {
  contextServiceRef, defineBundle, pushTransportRef, sessionServiceRef, userServiceRef,
  type Cancel, type ContextService, type DefinedBundle, type PushMatch, type PushNotification, type PushTransport, type Session,
  type SessionService, type UserService,
} from '@keel/plugin-sdk';
import { loadBundle, startTestKernel, type TestKernel, type TestKernelOptions } from '@keel/plugin-sdk/testing';
import { createPnsBundle, type PnsClock } from '../src/index.js';

export const MASTER = { login: 'oxadminmaster', password: 'master-secret' } as const;

/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
export { loadBundle };

// ---------------------------------------------------------------------------------------------
// Time by hand

export interface ManualClock extends PnsClock {
  /** Moves time forward, running every timer that falls due on the way (in time order), and waits for them. */
  advance(ms: number): Promise<void>;
  /** Runs the timers registered under `name` once, now. */
  fire(name: string): Promise<void>;
}

export function createManualClock(start = 1_700_000_000_000): ManualClock {
  let now = start;
  const timers = new Set<{ interval: number; next: number; task: () => Promise<void> | void; name: string }>();
  return {
    now: () => now,
    every(interval, task, name): Cancel {
      const timer = { interval, next: now + interval, task, name };
      timers.add(timer);
      return () => void timers.delete(timer);
    },
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        let earliest: { interval: number; next: number; task: () => Promise<void> | void } | undefined;
        for (const timer of timers) if (timer.next <= target && (earliest === undefined || timer.next < earliest.next)) earliest = timer;
        if (earliest === undefined) break;
        now = earliest.next;
        earliest.next += earliest.interval;
        await earliest.task();
      }
      now = target;
    },
    async fire(name) {
      for (const timer of [...timers]) if (timer.name === name) await timer.task();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A real transport for tests

export interface Delivery {
  notification: PushNotification;
  matches: PushMatch[];
}

export interface RecordingTransport {
  readonly id: string;
  readonly bundle: DefinedBundle<any, any>;
  readonly deliveries: Delivery[];
  /** Total matches delivered. */
  matchCount(): number;
  /** Resolves once at least `count` deliveries were recorded. */
  waitForDeliveries(count: number, what?: string): Promise<void>;
  /** Makes deliveries wait until the returned function is called. */
  hold(): () => void;
  /** Deliveries currently waiting on a hold. */
  readonly waiting: number;
}

/**
 * A transport `id` whose switch is `com.openexchange.pns.transport.<id>.enabled` (cascade, suffix
 * fallback, default true); `implicitClient` makes it implicitly interested in `ox:mail:*` topics.
 */
export function createRecordingTransport(id: string, options: { implicitClient?: string; validate?: PushTransport['validate'] } = {}): RecordingTransport {
  const deliveries: Delivery[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let gate: Promise<void> | undefined;
  let waiting = 0;
  const bundle = defineBundle({
    provides: [pushTransportRef],
    start({ register, cascade }) {
      const transport: PushTransport = {
        id,
        ...(options.implicitClient === undefined ? {} : {
          implicitInterest: (topic: string) => (topic.startsWith('ox:mail:') ? { client: options.implicitClient! } : undefined),
        }),
        async isEnabled(match) {
          const view = await cascade.view({ contextId: match.contextId, userId: match.userId });
          return view.switchFor(`com.openexchange.pns.transport.${id}.enabled`, true, match.client, match.topic);
        },
        async deliver(notification, matches) {
          if (gate !== undefined) {
            waiting++;
            await gate;
            waiting--;
          }
          deliveries.push({ notification, matches: [...matches] });
          for (const waiter of waiters.splice(0)) {
            if (deliveries.length >= waiter.count) waiter.resolve();
            else waiters.push(waiter);
          }
        },
        ...(options.validate === undefined ? {} : { validate: options.validate }),
      };
      register(pushTransportRef, transport);
    },
  });
  return {
    id,
    bundle,
    deliveries,
    matchCount: () => deliveries.reduce((sum, d) => sum + d.matches.length, 0),
    waitForDeliveries(count, what = `${count} deliveries`) {
      if (deliveries.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        // A generous bound so a broken test fails instead of hanging; no assertion on time.
        const timer = setTimeout(() => reject(new Error(`gave up waiting for ${what} (have ${deliveries.length})`)), 20_000);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    hold() {
      let release!: () => void;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
    get waiting() {
      return waiting;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Databases

export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root' } as const;

function isCi(): boolean {
  return ['true', '1'].includes((process.env['CI'] ?? '').toLowerCase());
}

let mariaDbReason: Promise<string | false> | undefined;

/** False when MariaDB answers; otherwise a loud reason to skip (and a failure under CI=true). */
export function mariaDbSkip(): Promise<string | false> {
  mariaDbReason ??= (async () => {
    try {
      await (await mysql.createConnection({ ...MARIADB, connectTimeout: 3000 })).end();
      return false;
    } catch (error) {
      const reason = `MariaDB not reachable on ${MARIADB.host}:${MARIADB.port} as root without password (${(error as Error).message}): the MariaDB tests of pns-impl are SKIPPED`;
      if (isCi()) throw new Error(`${reason} (CI=true)`);
      console.warn(`\n*** ${reason} ***\n`);
      return reason;
    }
  })();
  return mariaDbReason;
}

/** A fresh MariaDB database; `drop` removes it. */
export async function createMariaDb(): Promise<{ url: string; drop(): Promise<void> }> {
  const database = `keel_pns_${randomBytes(6).toString('hex')}`;
  const connection = await mysql.createConnection({ ...MARIADB, connectTimeout: 3000 });
  try {
    await connection.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
  return {
    url: `mysql://${MARIADB.user}@${MARIADB.host}:${MARIADB.port}/${database}`,
    async drop() {
      const admin = await mysql.createConnection({ ...MARIADB, connectTimeout: 3000 });
      try {
        await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      } finally {
        await admin.end();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The kernel

export interface PnsKernel {
  kernel: TestKernel;
  contexts: ContextService;
  users: UserService;
  sessions: SessionService;
  contextId: number;
  /** User ids by login. */
  userIds: Record<string, number>;
  /** A session of a user with the given client, and the Cookie header that goes with it. */
  login(user: string, client?: string): Promise<{ session: Session; cookie: string }>;
  stop(): Promise<void>;
}

/**
 * The real kernel with storage-sql (SQLite in the temp data directory unless `databaseUrl`), auth,
 * auth-database, sessiond, admin and pns-impl, plus `bundles`; one context with `users`.
 */
export async function startPnsKernel(options: {
  clock?: ManualClock;
  bundles?: TestKernelOptions['bundles'];
  properties?: Record<string, string>;
  files?: Record<string, string>;
  databaseUrl?: string;
  users?: readonly string[];
}): Promise<PnsKernel> {
  const properties = { ...options.properties };
  if (options.databaseUrl !== undefined) properties['keel.database.url'] = options.databaseUrl;
  const kernel = await startTestKernel({
    bundles: {
      'storage-sql': await loadBundle('storage-sql'),
      auth: await loadBundle('auth'),
      'auth-database': await loadBundle('auth-database'),
      sessiond: await loadBundle('sessiond'),
      admin: await loadBundle('admin'),
      'pns-impl': createPnsBundle(options.clock === undefined ? {} : { clock: options.clock }),
      ...options.bundles,
    },
    properties,
    files: { mpasswd: `${MASTER.login}:{PLAIN}${MASTER.password}\n`, ...options.files },
  });
  try {
    const failed = kernel.kernel.bundles().filter((b) => b.state !== 'ACTIVE');
    if (failed.length > 0) throw new Error(`bundles not active: ${failed.map((b) => `${b.name} ${b.state} ${b.error?.code ?? ''} ${b.error?.message ?? ''}`).join('; ')}`);
    const contexts = kernel.get(contextServiceRef)!;
    const users = kernel.get(userServiceRef)!;
    const sessions = kernel.get(sessionServiceRef)!;
    const context = await contexts.create({ name: 'example', loginMappings: ['example.com'] });
    const userIds: Record<string, number> = {};
    for (const name of options.users ?? ['alice', 'bob']) {
      userIds[name] = (await users.create(context.id, { login: name, password: `${name}-secret`, displayName: name, email: `${name}@example.com` })).id;
    }
    return {
      kernel, contexts, users, sessions, contextId: context.id, userIds,
      async login(user, client = 'open-xchange-appsuite') {
        const session = await sessions.create({ contextId: context.id, userId: userIds[user]!, loginName: user, client, ip: '127.0.0.1' });
        return { session, cookie: `${sessions.cookieName(session)}=${session.secret}` };
      },
      stop: () => kernel.stop(),
    };
  } catch (error) {
    await kernel.stop();
    throw error;
  }
}

/** `PUT <url>/appsuite/api/pns?action=<action>&session=…` with a JSON (or raw) body. */
export async function pnsAction(
  url: string,
  action: string,
  login: { session: Session; cookie: string } | undefined,
  body: unknown,
  init: { contentType?: string; raw?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const query = login === undefined ? '' : `&session=${encodeURIComponent(login.session.sessionId)}`;
  const response = await fetch(`${url}/appsuite/api/pns?action=${action}${query}`, {
    method: 'PUT',
    headers: { 'content-type': init.contentType ?? 'application/json', ...(login === undefined ? {} : { cookie: login.cookie }) },
    body: init.raw ?? JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export function basicAuth(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}
