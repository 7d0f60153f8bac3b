import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { contextServiceRef, pushNotificationServiceRef, sessionServiceRef, userServiceRef, webSocketServiceRef } from '@keel/plugin-sdk';
import { loadBundles, startTestKernel } from '@keel/plugin-sdk/testing';
import { percentile, result, type BenchResult } from '../measure.js';

const USERS = 2000;
const SOCKETS_PER_USER = 5; // 10,000 sockets
const WORKERS = 4;
const NOTIFICATIONS = 2000; // each reaches SOCKETS_PER_USER sockets
const RATE = 200; // notifications/s for the latency run
const LATENCY_SECONDS = 5;

interface Entry { session: string; cookie: string; room: string }

/** Worker processes holding the Socket.IO clients; the server under test keeps its event loop. */
class ClientFleet {
  private readonly workers: ChildProcess[] = [];
  constructor(count: number) {
    for (let i = 0; i < count; i++) this.workers.push(fork(new URL('../socket-clients-worker.js', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }
  private ask<T>(worker: ChildProcess, message: object, answer: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: { type: string; message?: string }) => {
        if (reply.type === 'error') { worker.off('message', onMessage); reject(new Error(reply.message)); }
        if (reply.type === answer) { worker.off('message', onMessage); resolve(reply as T); }
      };
      worker.on('message', onMessage);
      worker.send(message);
    });
  }
  async connect(url: string, path: string, entries: Entry[]): Promise<void> {
    const share = Math.ceil(entries.length / this.workers.length);
    await Promise.all(this.workers.map((worker, i) => this.ask(worker, { type: 'connect', target: { url, path, sessions: entries.slice(i * share, (i + 1) * share) } }, 'connected')));
  }
  async disconnect(): Promise<void> {
    await Promise.all(this.workers.map((w) => this.ask(w, { type: 'disconnect' }, 'disconnected')));
  }
  async reset(): Promise<void> {
    await Promise.all(this.workers.map((w) => this.ask(w, { type: 'reset' }, 'reset')));
  }
  async report(): Promise<{ received: number; latencies: number[] }> {
    const reports = await Promise.all(this.workers.map((w) => this.ask<{ received: number; latencies: number[] }>(w, { type: 'report' }, 'report')));
    return { received: reports.reduce((n, r) => n + r.received, 0), latencies: reports.flatMap((r) => r.latencies) };
  }
  async waitFor(expected: number, limitMs = 60_000): Promise<number> {
    const deadline = performance.now() + limitMs;
    for (;;) {
      const { received } = await this.report();
      if (received >= expected || performance.now() > deadline) return received;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => this.ask(w, { type: 'close' }, 'closed').catch(() => undefined)));
  }
}

const now = () => performance.timeOrigin + performance.now();

/**
 * PNS → Socket.IO: notifications/s from handle() to 10,000 connected clients, latency at a fixed
 * rate with delayDuration=0 and memory per socket, each next to a bare Socket.IO server emitting
 * the same events to the same clients in the same run.
 */
export async function run(): Promise<BenchResult[]> {
  process.env.KEEL_MASTER_PASSWORD ??= 'bench-master-password'; // pns-impl needs the admin bundle; nothing to print
  const keel = await startTestKernel({
    bundles: await loadBundles('storage-sql', 'auth', 'auth-database', 'sessiond', 'admin', 'pns-impl', 'websockets', 'pns-transport-websockets'),
    properties: { 'com.openexchange.pns.delayDuration': '0', 'com.openexchange.websockets.maxSocketsPerUser': '8' },
    startTimeoutMs: 30_000,
  });
  const bare = new Server(createServer(), { path: '/socket.io/appsuite', transports: ['websocket'], perMessageDeflate: false, serveClient: false });
  bare.on('connection', (socket) => void socket.join(String(socket.handshake.query.room)));
  const bareHttp = bare.httpServer as ReturnType<typeof createServer>;
  await new Promise<void>((resolve) => bareHttp.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${(bareHttp.address() as AddressInfo).port}`;
  const fleet = new ClientFleet(WORKERS);
  try {
    const contexts = keel.get(contextServiceRef)!;
    const users = keel.get(userServiceRef)!;
    const sessions = keel.get(sessionServiceRef)!;
    const pns = keel.get(pushNotificationServiceRef)!;
    const sockets = keel.get(webSocketServiceRef)!;
    const context = await contexts.create({ name: 'bench', loginMappings: ['bench.example'] });
    const userIds: number[] = [];
    const entries: Entry[] = [];
    for (let i = 0; i < USERS; i++) {
      const user = await users.create(context.id, { login: `u${i}`, displayName: `User ${i}`, email: `u${i}@bench.example` });
      userIds.push(user.id);
      const session = await sessions.create({ contextId: context.id, userId: user.id, loginName: `u${i}`, client: 'open-xchange-appsuite', ip: '127.0.0.1' });
      for (let s = 0; s < SOCKETS_PER_USER; s++) {
        entries.push({ session: session.sessionId, cookie: `${sessions.cookieName(session)}=${session.secret}`, room: `user:${context.id}:${user.id}` });
      }
    }

    const expected = NOTIFICATIONS * SOCKETS_PER_USER;
    const payload = (i: number) => ({ folder: 'default0/INBOX', id: String(i), subject: `bench ${i}`, email: 'sender@bench.example', sentAt: now() });

    // latency at a fixed rate
    const latencyRun = async (send: (i: number) => void): Promise<number[]> => {
      await fleet.reset();
      const total = RATE * LATENCY_SECONDS;
      const began = performance.now();
      for (let i = 0; i < total; i++) {
        const due = began + (i * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        send(i);
      }
      await fleet.waitFor(total * SOCKETS_PER_USER, 20_000);
      return (await fleet.report()).latencies;
    };

    // One phase per server, so the process never holds 20,000 sockets at once (descriptor limit).
    const phase = async (url: string, send: (i: number) => void | Promise<void>, connected: () => number) => {
      // JS heap and buffers after a full GC: RSS would credit the second phase with pages the first freed.
      const heap = () => { global.gc?.(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
      const before = heap();
      await fleet.connect(url, '/socket.io/appsuite', entries);
      const perSocket = (heap() - before) / entries.length;
      // untimed warm-up, so neither phase pays for JIT compilation in its figure
      await fleet.reset();
      await Promise.all(Array.from({ length: NOTIFICATIONS / 4 }, (_, i) => send(NOTIFICATIONS + i)));
      await fleet.waitFor((NOTIFICATIONS / 4) * SOCKETS_PER_USER);
      await fleet.reset();
      const start = performance.now();
      await Promise.all(Array.from({ length: NOTIFICATIONS }, (_, i) => send(i)));
      const received = await fleet.waitFor(expected);
      const rate = NOTIFICATIONS / ((performance.now() - start) / 1000);
      const latencies = await latencyRun((i) => void send(i));
      await fleet.disconnect();
      // the next phase measures from a settled heap: every socket of this one is gone
      for (let i = 0; i < 500 && connected() > 0; i++) await new Promise((r) => setTimeout(r, 20));
      return { perSocket, received, rate, latencies };
    };
    // Bare first: it measures on a clean heap, and Keel's figure can only be understated by its leftovers.
    const barePhase = await phase(bareUrl, (i) => void bare.to(`user:${context.id}:${userIds[i % USERS]}`).emit('ox:mail:new', payload(i)), () => bare.engine.clientsCount);
    const keelPhase = await phase(keel.url, (i) => pns.handle({ contextId: context.id, userId: userIds[i % USERS]!, topic: 'ox:mail:new', messageData: payload(i) }), () => sockets.totalLocalSockets());
    const { perSocket: keelPerSocket, received: keelReceived, rate: keelRate, latencies: keelLatency } = keelPhase;
    const { perSocket: barePerSocket, received: bareReceived, rate: bareRate, latencies: bareLatency } = barePhase;

    const lost = (received: number) => (received < expected ? `only ${received} of ${expected} socket messages arrived` : `${expected} socket messages, all received`);
    return [
      result('pns', `notifications/s handle() → ${entries.length} Socket.IO clients`, keelRate, 'ops/s', 'higher', { name: 'bare Socket.IO emit', value: bareRate }, `${lost(keelReceived)}; bare: ${lost(bareReceived)}`),
      result('pns', `latency p50 at ${RATE}/s, delayDuration=0`, percentile(keelLatency, 50), 'ms', 'lower', { name: 'bare Socket.IO', value: percentile(bareLatency, 50) }),
      result('pns', `latency p99 at ${RATE}/s, delayDuration=0`, percentile(keelLatency, 99), 'ms', 'lower', { name: 'bare Socket.IO', value: percentile(bareLatency, 99) }),
      result('pns', global.gc ? 'server heap per connected socket (after GC)' : 'server heap per connected socket (run with --expose-gc for exact figures)', keelPerSocket / 1024, 'KiB', 'lower', { name: 'bare Socket.IO', value: barePerSocket / 1024 }),
    ];
  } finally {
    await fleet.close();
    bare.close();
    await keel.stop();
  }
}
