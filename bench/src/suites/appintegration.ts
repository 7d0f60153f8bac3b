// MailStore Application Integration endpoint: cmd=list of 100,000 users (time, memory) and cmd=auth rate.
import { request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { authenticationServiceRef, contextServiceRef, databaseRef, userServiceRef, type UserService } from '@keel/plugin-sdk';
import { loadBundle, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import { asyncOpsPerSecond, percentile, result, type BenchResult } from '../measure.js';

const USERS = 100_000;
const CONTEXT = 7;
const ACCOUNT = { login: 'mailstore', password: 'bench-account' };

/** A collectable heap makes the memory figures comparable between the two runs. */
function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Peak growth of the live heap and of RSS over a task (the server runs in this process). Every 50 ms
 * a full GC runs before the sample, so the heap figure is what is really held, not garbage not yet
 * collected; that slows the task, so times are measured in separate runs. Synchronous stretches (the
 * embedded SQLite driver never yields to timers) call `sample` themselves.
 */
async function peakGrowth(gc: () => void, task: (sample: () => void) => Promise<void>): Promise<{ heapMiB: number; rssMiB: number }> {
  gc();
  const base = process.memoryUsage();
  let heap = base.heapUsed;
  let rss = base.rss;
  const sample = () => {
    rss = Math.max(rss, process.memoryUsage.rss());
    gc();
    heap = Math.max(heap, process.memoryUsage().heapUsed);
  };
  const timer = setInterval(sample, 50);
  try {
    await task(sample);
  } finally {
    clearInterval(timer);
  }
  sample();
  return { heapMiB: (heap - base.heapUsed) / 2 ** 20, rssMiB: (rss - base.rss) / 2 ** 20 };
}

async function wallTime(task: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await task();
  return performance.now() - started;
}

/** POSTs cmd=list and reads the answer without keeping it: counts bytes and checks the last one. */
function listOverHttp(url: string, onChunk?: (index: number) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const authorization = `Basic ${Buffer.from(`${ACCOUNT.login}:${ACCOUNT.password}`).toString('base64')}`;
    const req = request(url, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      let bytes = 0;
      let last = 0;
      let chunks = 0;
      res.on('data', (chunk: Buffer) => {
        onChunk?.(chunks++);
        bytes += chunk.length;
        last = chunk[chunk.length - 1]!;
      });
      res.on('end', () => (res.statusCode === 200 && last === 0x5d ? resolve(bytes) : reject(new Error(`cmd=list answered ${res.statusCode}, last byte ${last}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end('cmd=list');
  });
}

/** 100,000 users in one transaction of multi-row inserts: UserService.create would take minutes. */
async function seedUsers(keel: TestKernel): Promise<void> {
  const database = keel.get(databaseRef)!;
  await database.transaction(async (trx) => {
    for (let from = 1; from <= USERS; from += 500) {
      const ids = Array.from({ length: Math.min(500, USERS - from + 1) }, (_, i) => from + i);
      await trx.insertInto('keel_users').values(ids.map((id) => ({
        context_id: CONTEXT, id, login: `user${id}`, login_key: `user${id}`, display_name: `Bench User ${id}`, email: `user${id}@bench.example`,
        enabled: 1, password_hash: null, source: id % 10 === 0 ? 'ldap' : 'local', external_dn: id % 10 === 0 ? `uid=user${id},ou=people,dc=bench,dc=example` : null,
      }))).execute();
      await trx.insertInto('keel_user_addresses').values(ids.flatMap((id) => [
        { context_id: CONTEXT, address_key: `user${id}@bench.example`, address: `user${id}@bench.example`, user_id: id, kind: 'primary', position: 0 },
        { context_id: CONTEXT, address_key: `u${id}@bench.example`, address: `u${id}@bench.example`, user_id: id, kind: 'alias', position: 1 },
      ])).execute();
    }
    await trx.updateTable('keel_contexts').set({ user_seq: USERS }).where('id', '=', CONTEXT).execute();
  });
}

/**
 * cmd=list of 100,000 users streamed over HTTP: wall time next to reading the same users through
 * UserService.stream alone, and peak heap growth next to building the same answer in memory.
 * cmd=auth requests per second next to the bare AuthenticationService.authenticate call.
 */
export async function run(): Promise<BenchResult[]> {
  const gc = gcFunction();
  const keel = await startTestKernel({
    bundles: {
      'storage-sql': await loadBundle('storage-sql'),
      auth: await loadBundle('auth'),
      'auth-database': await loadBundle('auth-database'),
      'appintegration-server': await loadBundle('appintegration-server'),
    },
    properties: { 'keel.auth.maxFailures': '100000000', 'keel.auth.maxFailuresPerAddress': '100000000', 'keel.auth.delayAfter': '100000000' },
    files: { 'appintegration.yml': `bench: { login: "${ACCOUNT.login}", password: "${ACCOUNT.password}", context: ${CONTEXT} }\n` },
    startTimeoutMs: 30_000,
  });
  try {
    await keel.get(contextServiceRef)!.create({ id: CONTEXT, name: 'bench', loginMappings: ['bench.example'] });
    const seedStart = performance.now();
    await seedUsers(keel);
    const seedMs = performance.now() - seedStart;
    const users: UserService = keel.get(userServiceRef)!;
    const endpoint = `${keel.url}/mailstore-integration/`;

    let bytes = 0;
    // The client runs in this process too: it samples memory while the answer arrives (every 10th chunk).
    const listStreamed = async (sample?: () => void) => {
      bytes = await listOverHttp(endpoint, sample && ((index) => index % 10 === 0 && sample()));
    };
    const readDirectory = async () => {
      let count = 0;
      for await (const user of users.stream(CONTEXT, 1000)) if (user.enabled) count++;
      if (count !== USERS) throw new Error(`streamed ${count} users`);
    };
    const buildInMemory = async (sample: () => void) => {
      const all = [];
      for await (const user of users.stream(CONTEXT, 1000)) all.push({ userName: user.login, distinguishedName: user.externalDn ?? `uid=${user.login},ou=users,o=${CONTEXT}`, fullName: user.displayName, emailAddresses: [user.email, ...user.aliases] });
      sample();
      const text = JSON.stringify(all);
      sample();
      if (text.length < bytes / 2) throw new Error('in-memory answer too short');
    };
    await listStreamed(); // warm-up: page cache, JIT
    const streamedMs = await wallTime(() => listStreamed());
    // The same users read without HTTP and JSON: what the endpoint adds on top of the directory.
    const directoryMs = await wallTime(readDirectory);
    const streamed = await peakGrowth(gc, listStreamed);
    const inMemory = await peakGrowth(gc, buildInMemory);

    // cmd=auth: one user with a real scrypt-hashed password (auth-database), as MailStore asks per login.
    await users.create(CONTEXT, { login: 'alice', password: 'alice-password', displayName: 'Alice', email: 'alice@bench.example' });
    const authorization = `Basic ${Buffer.from(`${ACCOUNT.login}:${ACCOUNT.password}`).toString('base64')}`;
    const form = new URLSearchParams({ cmd: 'auth', user: 'alice', pass: 'alice-password' }).toString();
    const authOverHttp = async () => {
      const response = await fetch(endpoint, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: form });
      const text = await response.text();
      if (text !== '{"succeeded":true}') throw new Error(`cmd=auth answered ${response.status} ${text}`);
    };
    await authOverHttp();
    const http = await asyncOpsPerSecond(authOverHttp, { durationMs: 3000, concurrency: 4 });
    const authentication = keel.get(authenticationServiceRef)!;
    const bare = await asyncOpsPerSecond(() => authentication.authenticate({ login: 'alice', password: 'alice-password', ip: '127.0.0.1', contextId: CONTEXT }), { durationMs: 3000, concurrency: 4 });

    // The same for an unknown user: no scrypt anywhere, so this is what the endpoint itself costs.
    const unknownForm = new URLSearchParams({ cmd: 'auth', user: 'nobody', pass: 'x' }).toString();
    const unknownOverHttp = async () => {
      const response = await fetch(endpoint, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: unknownForm });
      const text = await response.text();
      if (text !== '{"succeeded":false}') throw new Error(`cmd=auth answered ${response.status} ${text}`);
    };
    const unknownHttp = await asyncOpsPerSecond(unknownOverHttp, { durationMs: 2000, concurrency: 4 });
    // The HTTP stack and the in-process fetch client alone: the floor any endpoint sits on.
    const health = await asyncOpsPerSecond(async () => {
      await (await fetch(`${keel.url}/health`)).arrayBuffer();
    }, { durationMs: 2000, concurrency: 4 });
    const unknownBare = await asyncOpsPerSecond(() => authentication.authenticate({ login: 'nobody', password: 'x', ip: '127.0.0.1', contextId: CONTEXT }).catch(() => undefined), { durationMs: 2000, concurrency: 4 });

    const mib = (value: number) => Math.max(0, Math.round(value * 10) / 10);
    return [
      result('appintegration', `cmd=list of ${USERS} users over HTTP (streamed)`, Math.round(streamedMs), 'ms', 'lower',
        { name: 'UserService.stream of the same users', value: Math.round(directoryMs) },
        `${(bytes / 2 ** 20).toFixed(1)} MiB JSON, ${Math.round(USERS / (streamedMs / 1000))} users/s; seeding took ${Math.round(seedMs)} ms`),
      result('appintegration', 'cmd=list peak live heap growth', mib(streamed.heapMiB), 'MiB', 'lower',
        { name: 'same answer built in memory', value: mib(inMemory.heapMiB) }, `peak RSS growth ${mib(streamed.rssMiB)} MiB (in memory: ${mib(inMemory.rssMiB)} MiB)`),
      result('appintegration', 'cmd=auth requests/s over HTTP (auth-database, scrypt)', http.rate, 'ops/s', 'higher',
        { name: 'AuthenticationService.authenticate', value: bare.rate }, `p99 ${percentile(http.latencies, 99).toFixed(1)} ms`),
      result('appintegration', 'cmd=auth requests/s over HTTP, unknown user (no scrypt)', unknownHttp.rate, 'ops/s', 'higher',
        { name: 'AuthenticationService.authenticate', value: unknownBare.rate },
        `p99 ${percentile(unknownHttp.latencies, 99).toFixed(1)} ms; GET /health in the same run: ${Math.round(health.rate)}/s`),
    ];
  } finally {
    await keel.stop();
  }
}
