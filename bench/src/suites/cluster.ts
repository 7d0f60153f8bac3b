import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adminAuthRef, contextServiceRef, pushNotificationServiceRef, sessionServiceRef, userServiceRef,
  type DefinedBundle, type PushNotificationService, type SessionService,
} from '@keel/plugin-sdk';
import { loadBundles, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import type { Socket } from 'socket.io-client';
import { asyncOpsPerSecond, median, percentile, result, type BenchResult } from '../measure.js';

const REDIS = { host: '127.0.0.1', port: 6379 };

interface PrivateRedis { url: string; port: number; outputBytes(): Promise<number>; stop(): Promise<void> }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** A redis-server of its own per scenario, so its traffic counters are the scenario's alone; undefined without the binary. */
async function startPrivateRedis(): Promise<PrivateRedis | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'keel-bench-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const failed = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(true));
    setTimeout(() => resolve(false), 300);
  });
  const { Redis } = await import('ioredis');
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
  const stop = async () => {
    client.disconnect();
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if (failed) throw new Error('redis-server not started');
    await client.connect();
  } catch {
    await stop();
    return undefined;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async outputBytes() {
      const info = await client.info('stats');
      return Number(/total_net_output_bytes:(\d+)/.exec(info)?.[1] ?? NaN);
    },
    stop,
  };
}

/** Bundles from their build output (`npm run bench` builds everything first): no compile-time dependency. */
const USERS = 20;
const ROUND_MS = 1200;
const CONCURRENCY = 16;
const ROUNDS = 4;

type Mode = 'single-node' | 'sharded' | 'classic';

function redisAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(REDIS, () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => { socket.destroy(); resolve(false); });
    socket.once('data', (data) => { socket.destroy(); resolve(data.toString().startsWith('+PONG')); });
    socket.once('error', () => resolve(false));
  });
}

/** A node: directory on its own SQLite, sessions, Socket.IO, PNS with the websocket transport (and the cluster bundle). */
async function startNode(bundles: Record<string, DefinedBundle<any, any>>, properties: Record<string, string>): Promise<TestKernel> {
  const node = await startTestKernel({
    bundles,
    // The admin send route is not measured: a stand-in admin check satisfies pns-impl.
    services: [[adminAuthRef, { verify: async () => undefined, check: async () => false }]],
    properties: { 'com.openexchange.pns.delayDuration': '1000', ...properties },
  });
  const context = await node.get(contextServiceRef)!.create({ name: 'bench', loginMappings: ['bench.example'] });
  for (let i = 1; i <= USERS; i++) await node.get(userServiceRef)!.create(context.id, { login: `u${i}`, password: `p${i}`, displayName: `u${i}`, email: `u${i}@bench.example` });
  return node;
}

interface Scenario {
  /** One notification from the sending node, resolved when the client on the receiving node got it. */
  deliver(): Promise<void>;
  stop(): Promise<void>;
  /** Bytes the scenario's Redis has sent so far (its own server), if it has one. */
  redisOutput?: () => Promise<number>;
}

/**
 * One scenario: `deliverNow` on the sending node → websocket transport → Socket.IO → a client on the
 * receiving node (node B; node A itself on a single node). The other nodes hold no socket of the users.
 */
async function startScenario(mode: Mode, prefix: string, nodeCount: number, redisUrl = `redis://${REDIS.host}:${REDIS.port}`): Promise<Scenario> {
  const base = await loadBundles('storage-sql', 'auth', 'auth-database', 'sessiond', 'websockets', 'pns-impl', 'pns-transport-websockets');
  const cluster = mode === 'single-node' ? {} : await loadBundles('cluster-redis');
  const nodes: TestKernel[] = [];
  const sockets: Socket[] = [];
  const stop = async () => {
    sockets.forEach((socket) => socket.close());
    for (const node of [...nodes].reverse()) await node.stop();
    if (mode !== 'single-node' && redisUrl === `redis://${REDIS.host}:${REDIS.port}`) await deleteKeys(prefix);
  };
  try {
    for (let i = 0; i < (mode === 'single-node' ? 1 : nodeCount); i++) {
      nodes.push(await startNode({ ...base, ...cluster }, mode === 'single-node' ? {} : {
        'keel.cluster.redis.url': redisUrl,
        'keel.cluster.prefix': prefix,
        'keel.cluster.nodeId': `bench-${i}`,
        'keel.cluster.socketio.adapter': mode,
      }));
    }
    const sender = nodes[0]!;
    const receiver = nodes[nodes.length === 1 ? 0 : 1]!;
    const sessions = receiver.get(sessionServiceRef) as SessionService;
    const waiters = new Map<number, () => void>();
    const { io } = await import('socket.io-client');
    for (let userId = 1; userId <= USERS; userId++) {
      const session = await sessions.create({ contextId: 1, userId, loginName: `u${userId}`, client: 'open-xchange-appsuite', ip: '127.0.0.1', userAgent: 'keel-bench' });
      const socket = io(receiver.url, {
        path: '/socket.io/appsuite', transports: ['websocket'], query: { session: session.sessionId }, forceNew: true, reconnection: false,
        extraHeaders: { cookie: `${sessions.cookieName(session)}=${session.secret}`, 'user-agent': 'keel-bench' },
      });
      socket.on('ox:mail:new', (data: { id: number }) => waiters.get(data.id)?.());
      await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
      sockets.push(socket);
    }
    const pns = sender.get(pushNotificationServiceRef) as PushNotificationService;
    let next = 0;
    const deliver = async () => {
      const id = next++;
      const received = new Promise<void>((resolve) => waiters.set(id, resolve));
      await pns.deliverNow({ contextId: 1, userId: 1 + (id % USERS), topic: 'ox:mail:new', messageData: { id } });
      await received;
      waiters.delete(id);
    };
    // Warm-up: subscriptions, prepared statements, JIT.
    await asyncOpsPerSecond(deliver, { durationMs: 400, concurrency: CONCURRENCY });
    return { deliver, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Rounds alternate between the scenarios (a noisy neighbour hits all alike); median rate, pooled latencies. */
interface Figures { rate: number; p50: number; p99: number; redisBytesPerNotification: number }

async function compare(scenarios: Record<string, Scenario>): Promise<Record<string, Figures>> {
  const rates: Record<string, number[]> = {};
  const latencies: Record<string, number[]> = {};
  const bytes: Record<string, number> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, scenario] of Object.entries(scenarios)) {
      const before = (await scenario.redisOutput?.()) ?? NaN;
      const run = await asyncOpsPerSecond(scenario.deliver, { durationMs: ROUND_MS, concurrency: CONCURRENCY });
      bytes[name] = (bytes[name] ?? 0) + ((await scenario.redisOutput?.()) ?? NaN) - before;
      (rates[name] ??= []).push(run.rate);
      (latencies[name] ??= []).push(...run.latencies);
    }
  }
  return Object.fromEntries(Object.keys(scenarios).map((name) => [name, {
    rate: median(rates[name]!), p50: percentile(latencies[name]!, 50), p99: percentile(latencies[name]!, 99),
    redisBytesPerNotification: bytes[name]! / latencies[name]!.length,
  }]));
}

async function deleteKeys(prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS.port, REDIS.host, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    for await (const keys of client.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<string[]>) if (keys.length > 0) await client.unlink(...keys);
  } finally {
    client.disconnect();
  }
}

/**
 * What hand-made targeted routing would cost per emit next to the sharded adapter's one command:
 * look up the nodes holding the user's sockets (SMEMBERS) and publish to each node's channel,
 * versus one SPUBLISH to the user's room channel, which Redis routes to the nodes subscribed to it.
 */
async function routingPrimitives(prefix: string): Promise<{ targeted: { rate: number; p99: number }; sharded: { rate: number; p99: number } }> {
  const { Redis } = await import('ioredis');
  const client = new Redis(REDIS.port, REDIS.host, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    for (let u = 0; u < USERS; u++) await client.sadd(`${prefix}ws:user:1:${u}`, 'bench-b');
    const payload = Buffer.alloc(120, 1);
    const targeted = await asyncOpsPerSecond(async (i) => {
      const nodes = await client.smembers(`${prefix}ws:user:1:${i % USERS}`);
      await Promise.all(nodes.map((node) => client.publish(`${prefix}node:${node}`, payload)));
    }, { durationMs: 1500, concurrency: CONCURRENCY });
    const sharded = await asyncOpsPerSecond((i) => client.spublish(`${prefix}room:user:1:${i % USERS}`, payload), { durationMs: 1500, concurrency: CONCURRENCY });
    return { targeted: { rate: targeted.rate, p99: percentile(targeted.latencies, 99) }, sharded: { rate: sharded.rate, p99: percentile(sharded.latencies, 99) } };
  } finally {
    client.disconnect();
  }
}

/**
 * Cross-node delivery: a notification handled on node A (PNS `deliverNow` → websocket transport)
 * reaching Socket.IO clients on node B while the other nodes hold none of that user's sockets —
 * with the sharded Redis adapter (one channel per room: only nodes holding the user's sockets get
 * the message) and the classic one (every node gets and decodes every message) — next to a single
 * node without the cluster bundle, measured in the same run. All nodes share this process and its
 * one event loop, so the cross-node rate also pays for the other nodes' work. Needs Redis on
 * 127.0.0.1:6379 (keys under a random prefix, deleted afterwards).
 */
export async function run(): Promise<BenchResult[]> {
  if (!(await redisAnswers())) {
    return [result('cluster', 'skipped: Redis not reachable on 127.0.0.1:6379', 0, '-', 'higher')];
  }
  const results: BenchResult[] = [];
  const label = { sharded: 'Redis sharded adapter', classic: 'Redis classic adapter' } as const;
  for (const nodeCount of [3, 6]) {
    const scenarios: Record<string, Scenario> = {};
    const servers: PrivateRedis[] = [];
    try {
      scenarios['single'] = await startScenario('single-node', '', 1);
      for (const mode of ['sharded', 'classic'] as const) {
        const server = await startPrivateRedis();
        if (server) servers.push(server);
        const scenario = await startScenario(mode, `keel-bench:${randomBytes(4).toString('hex')}:`, nodeCount, server?.url);
        scenarios[mode] = server ? { ...scenario, redisOutput: () => server.outputBytes() } : scenario;
      }
      const figures = await compare(scenarios);
      const single = figures['single']!;
      const sharded = figures['sharded']!;
      for (const mode of ['sharded', 'classic'] as const) {
        const cross = figures[mode]!;
        results.push(
          result('cluster', `notifications/s node A → sockets on node B (${label[mode]}, ${nodeCount} nodes)`, cross.rate, 'ops/s', 'higher', { name: 'single node', value: single.rate }, `p50 ${cross.p50.toFixed(2)} ms vs ${single.p50.toFixed(2)} ms`),
          result('cluster', `p99 latency node A → node B (${label[mode]}, ${nodeCount} nodes)`, cross.p99, 'ms', 'lower', { name: 'single node p99', value: single.p99 }),
        );
      }
      if (Number.isFinite(sharded.redisBytesPerNotification)) {
        results.push(result('cluster', `Redis bytes sent per notification, classic adapter (${nodeCount} nodes; heartbeats included)`, figures['classic']!.redisBytesPerNotification, 'B', 'lower',
          { name: 'sharded adapter', value: sharded.redisBytesPerNotification }));
      }
    } finally {
      for (const scenario of Object.values(scenarios)) await scenario.stop();
      for (const server of servers) await server.stop();
    }
  }
  const prefix = `keel-bench:${randomBytes(4).toString('hex')}:`;
  try {
    const primitives = await routingPrimitives(prefix);
    results.push(result('cluster', 'routing per emit: SMEMBERS + PUBLISH (hand-made targeted routing)', primitives.targeted.rate, 'ops/s', 'higher',
      { name: 'SPUBLISH to the room channel (sharded adapter)', value: primitives.sharded.rate }, `p99 ${primitives.targeted.p99.toFixed(2)} ms vs ${primitives.sharded.p99.toFixed(2)} ms`));
  } finally {
    await deleteKeys(prefix);
  }
  return results;
}
