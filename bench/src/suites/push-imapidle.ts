// push-imapidle: N listeners (default 1,000) against a private Dovecot — time until every one is in
// IDLE and memory per listener — next to N bare imapflow connections doing the same
// (connect, login, EXAMINE INBOX, IDLE) at the same concurrency. Each side runs in its own child
// process (clean RSS, exposed GC) against its own fresh Dovecot.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  mailAccessRef, pushManagerRef, pushNotificationServiceRef, type MailAccess, type PushListener, type PushNotificationService,
} from '@keel/plugin-sdk';
import { loadBundle, startTestKernel } from '@keel/plugin-sdk/testing';
import { dovecotSkipReason, startDovecot } from '@keel/test/harness';
import { result, type BenchResult } from '../measure.js';

const SUITE = 'push-imapidle';
const LISTENERS = Number(process.env['KEEL_BENCH_IMAPIDLE_LISTENERS'] ?? 1000);
/** Connection attempts at once, for Keel (maxConcurrentConnects) and the baseline alike. */
const CONCURRENCY = 32;
const PASSWORD = 'bench-pw';
/** Give up rather than hang when something is wrong (bounded). */
const ESTABLISH_LIMIT_MS = 240_000;

/**
 * Dovecot tuned for many idle clients: login and imap processes serve many connections each
 * (service_count = 0) instead of one process per connection, which on 2 cores costs ~50 ms per
 * spawn and ~5 MB per connection and would measure Dovecot rather than the client side.
 */
const DOVECOT_TUNING = [
  'default_client_limit = 4000',
  'service imap-login {', '  service_count = 0', '  process_min_avail = 2', '  client_limit = 2000', '}',
  'service imap {', '  service_count = 0', '  client_limit = 100', '  process_limit = 64', '}',
  'service anvil {', '  client_limit = 4000', '}',
  'service auth {', '  client_limit = 4000', '}',
].join('\n');

/** What this suite uses of imapflow. */
interface BareClient {
  connect(): Promise<void>;
  mailboxOpen(path: string, options: { readOnly: boolean }): Promise<unknown>;
  idle(): Promise<unknown>;
  logout(): Promise<void>;
  close(): void;
  on(event: 'error', listener: (error: Error) => void): void;
}
type BareClientClass = new (options: Record<string, unknown>) => BareClient;

interface ListenerView {
  listeners(): Array<{ state: string; connects: number }>;
  close(): Promise<void>;
}

/** imapflow as push-imapidle resolves it (the bench package does not depend on it). */
function imapFlowClass(): BareClientClass {
  const require = createRequire(new URL('../../../../plugins/push-imapidle/package.json', import.meta.url));
  return (require('imapflow') as { ImapFlow: BareClientClass }).ImapFlow;
}

function garbageCollector(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  return () => {
    gc?.();
    gc?.();
  };
}

function memory(collect: () => void): { rss: number; heap: number } {
  collect();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed };
}

async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await task(next++);
  }));
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + ESTABLISH_LIMIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${SUITE}: gave up waiting for ${what}`);
    // Coarse on purpose: each check copies every listener's status (≤ 100 ms on a ~10 s figure).
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Run { ms: number; rssPerConnection: number; heapPerConnection: number }

async function bareConnections(ImapFlow: BareClientClass, server: { host: string; imapPort: number }, count: number, collect: () => void): Promise<Run> {
  const clients: BareClient[] = [];
  const open = async (i: number) => {
    const client = new ImapFlow({
      host: server.host, port: server.imapPort, secure: false, auth: { user: `u${i}`, pass: PASSWORD }, logger: false, disableAutoIdle: true,
    });
    client.on('error', () => undefined);
    clients.push(client);
    await client.connect();
    await client.mailboxOpen('INBOX', { readOnly: true });
    void client.idle().catch(() => undefined);
  };
  // Warm-up (JIT, Dovecot's first processes), not measured.
  await pool(Math.min(50, count), CONCURRENCY, open);
  await Promise.all(clients.splice(0).map((client) => client.logout().catch(() => client.close())));
  const before = memory(collect);
  const start = performance.now();
  try {
    await pool(count, CONCURRENCY, open);
    const ms = performance.now() - start;
    const after = memory(collect);
    return { ms, rssPerConnection: (after.rss - before.rss) / count, heapPerConnection: (after.heap - before.heap) / count };
  } finally {
    await Promise.all(clients.map((client) => client.logout().catch(() => client.close())));
  }
}

async function keelListeners(server: { host: string; imapPort: number }, count: number, collect: () => void): Promise<Run> {
  const bundle = await loadBundle('push-imapidle');
  // Contract boundaries: the endpoint mail-imap would resolve, and a PNS that only counts.
  const mail: MailAccess = {
    resolveEndpoint: async (_contextId, userId, options = {}) => ({
      host: server.host, port: server.imapPort, secure: false, login: `u${userId}`, password: options.password ?? PASSWORD, rejectUnauthorized: true,
    }),
    setMetadata: async () => undefined,
    getMetadata: async () => undefined,
    openConnections: () => 0,
  };
  let handled = 0;
  const pns: PushNotificationService = {
    handle: async () => void handled++,
    deliverNow: async () => ({ matches: 0 }),
    stats: () => ({ buffered: 0, queued: 0, inFlight: 0, handled, delivered: {}, failed: {} }),
  };
  const kernel = await startTestKernel({
    bundles: { 'push-imapidle': bundle },
    services: [[mailAccessRef, mail], [pushNotificationServiceRef, pns]],
    properties: {
      'com.openexchange.push.imapidle.maxConcurrentConnects': String(CONCURRENCY),
      'com.openexchange.push.imapidle.connectsPerSecond': '0',
    },
    http: false,
    startTimeoutMs: 20_000,
  });
  const listeners: PushListener[] = [];
  try {
    const manager = kernel.getAll(pushManagerRef).find((m) => m.name === 'imapidle');
    if (manager === undefined) throw new Error(`${SUITE}: the imapidle manager did not start: ${JSON.stringify(kernel.bundle('push-imapidle')?.error)}`);
    const view = manager as unknown as ListenerView;
    // Warm-up, not measured.
    const warm: PushListener[] = [];
    for (let i = 0; i < Math.min(50, count); i++) warm.push((await manager.startListener({ contextId: 2, userId: i, permanent: true, client: 'bench', password: PASSWORD }))!);
    await until(() => view.listeners().filter((l) => l.state === 'idle').length === warm.length, 'the warm-up listeners');
    await Promise.all(warm.map((listener) => listener.stop()));
    const before = memory(collect);
    const start = performance.now();
    for (let i = 0; i < count; i++) listeners.push((await manager.startListener({ contextId: 1, userId: i, permanent: true, client: 'bench', password: PASSWORD }))!);
    await until(() => view.listeners().every((l) => l.state === 'idle' && l.connects >= 1), `${count} listeners in IDLE`);
    const ms = performance.now() - start;
    const after = memory(collect);
    return { ms, rssPerConnection: (after.rss - before.rss) / count, heapPerConnection: (after.heap - before.heap) / count };
  } finally {
    await Promise.all(listeners.map((listener) => listener.stop()));
    await kernel.stop();
  }
}

type Mode = 'bare' | 'keel';
const CHILD_MODE = 'KEEL_BENCH_IMAPIDLE_MODE';

/** Runs one side in a child process with --expose-gc, against `server`. */
function measureInChild(mode: Mode, server: { host: string; imapPort: number }): Promise<Run> {
  return new Promise<Run>((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--expose-gc'],
      env: { ...process.env, [CHILD_MODE]: mode, KEEL_BENCH_IMAPIDLE_HOST: server.host, KEEL_BENCH_IMAPIDLE_PORT: String(server.imapPort) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let outcome: Run | undefined;
    child.on('message', (message: { run?: Run; error?: string }) => {
      if (message.error !== undefined) reject(new Error(`${SUITE} (${mode}): ${message.error}`));
      else outcome = message.run;
    });
    child.on('error', reject);
    child.on('exit', (code) => (outcome !== undefined ? resolve(outcome) : reject(new Error(`${SUITE} (${mode}): child exited with ${code}`))));
  });
}

export async function run(): Promise<BenchResult[]> {
  const skip = dovecotSkipReason();
  if (skip !== undefined) {
    process.stderr.write(`${SUITE}: skipped — ${skip}\n`);
    return [];
  }
  const users = Array.from({ length: LISTENERS }, (_, i) => ({ login: `u${i}`, password: PASSWORD }));
  const fresh = async (mode: Mode): Promise<Run> => {
    const dovecot = await startDovecot({ users, extraConfig: DOVECOT_TUNING });
    try {
      return await measureInChild(mode, dovecot);
    } finally {
      await dovecot.stop();
    }
  };
  const bare = await fresh('bare');
  const keel = await fresh('keel');
  const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
  const note = `${CONCURRENCY} connection attempts at once, no rate limit; the defaults (8 at once, 50/s) spread ${LISTENERS} starts over ≥${Math.ceil(LISTENERS / 50)} s by design`;
  return [
    result(SUITE, `establish ${LISTENERS} listeners (login, EXAMINE, IDLE)`, Math.round(keel.ms), 'ms', 'lower', { name: `${LISTENERS} bare imapflow connections`, value: Math.round(bare.ms) }, note),
    result(SUITE, 'RSS per listener', kb(keel.rssPerConnection), 'KB', 'lower', { name: 'RSS per bare imapflow connection', value: kb(bare.rssPerConnection) }, 'RSS delta after GC / listeners, each side in its own process'),
    result(SUITE, 'heap per listener', kb(keel.heapPerConnection), 'KB', 'lower', { name: 'heap per bare imapflow connection', value: kb(bare.heapPerConnection) }, 'heapUsed delta after GC / listeners'),
  ];
}

// The child side of measureInChild.
const childMode = process.env[CHILD_MODE] as Mode | undefined;
if (childMode !== undefined && process.send !== undefined) {
  const server = { host: process.env['KEEL_BENCH_IMAPIDLE_HOST']!, imapPort: Number(process.env['KEEL_BENCH_IMAPIDLE_PORT']) };
  const collect = garbageCollector();
  try {
    const measured = childMode === 'bare' ? await bareConnections(imapFlowClass(), server, LISTENERS, collect) : await keelListeners(server, LISTENERS, collect);
    process.send({ run: measured });
  } catch (error) {
    process.send({ error: (error as Error).stack ?? String(error) });
  }
  process.disconnect();
}
