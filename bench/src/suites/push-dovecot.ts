import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify from 'fastify';
import { contextServiceRef, userServiceRef } from '@keel/plugin-sdk';
import { loadBundles, startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import { dovecotSkipReason, startDovecot } from '@keel/test/harness';
import { asyncOpsPerSecond, median, percentile, result, type BenchResult } from '../measure.js';

const REST = { login: 'dovecot', password: 'bench-secret' };
const AUTHORIZATION = `Basic ${Buffer.from(`${REST.login}:${REST.password}`).toString('base64')}`;
const NOTIFY_PATH = '/preliminary/http-notify/v1/notify';
const DELIVERIES = 40;

/** What Dovecot's OX driver sends, with a different UID each time so the PNS does not merge them. */
function notifyBody(user: string, uid: number): string {
  return JSON.stringify({
    user, event: 'messageNew', folder: 'INBOX', 'imap-uidvalidity': 1700000000, 'imap-uid': uid,
    from: '=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <joerg@example.org>', subject: '=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=', snippet: 'Hallo, wie geht es dir?', unseen: uid,
  });
}

async function put(url: string, body: string): Promise<void> {
  const response = await fetch(url, { method: 'PUT', headers: { authorization: AUTHORIZATION, 'content-type': 'application/json; charset=utf-8' }, body });
  if (response.status !== 200) throw new Error(`notify answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}

async function stackKernel(properties: Record<string, string>, extra: string[] = []): Promise<TestKernel> {
  return startTestKernel({
    bundles: await loadBundles('storage-sql', 'auth', 'auth-database', 'sessiond', 'admin', 'pns-impl', 'rest', 'mail-imap', 'push', 'push-dovecot', ...extra),
    properties: {
      'com.openexchange.rest.services.basic-auth.login': REST.login,
      'com.openexchange.rest.services.basic-auth.password': REST.password,
      ...properties,
    },
    files: { mpasswd: 'oxadminmaster:{PLAIN}bench\n' },
    startTimeoutMs: 20_000,
  });
}

/** Notify answers per second and p99 through Keel (Basic auth, checks, queueing the routing) next to a bare fastify route parsing the same JSON. */
async function notifyThroughput(): Promise<BenchResult[]> {
  const keel = await stackKernel({});
  const bare = Fastify({ logger: false });
  bare.put(NOTIFY_PATH, async (request) => {
    const body = request.body as { event?: unknown };
    if (body.event !== 'messageNew') throw new Error('unexpected body');
    return { success: true };
  });
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  try {
    const context = await keel.get(contextServiceRef)!.create({ name: 'bench', loginMappings: ['bench.example'] });
    const user = await keel.get(userServiceRef)!.create(context.id, { login: 'alice', password: 'x', displayName: 'Alice', email: 'alice@bench.example' });
    const target = `${user.id}@${context.id}`;
    const keelUrl = `${keel.url}${NOTIFY_PATH}`;
    // Warm both up, then measure them alternately so neither gets the quieter machine.
    for (let i = 0; i < 200; i++) await Promise.all([put(keelUrl, notifyBody(target, i + 1)), put(`${bareUrl}${NOTIFY_PATH}`, notifyBody(target, i + 1))]);
    let uid = 1000;
    // Rounds alternate between the two so a noisy neighbour hurts both alike; rates are the median round.
    const options = { durationMs: 1000, concurrency: 16 };
    const keelRun = { rates: [] as number[], latencies: [] as number[] };
    const bareRun = { rates: [] as number[], latencies: [] as number[] };
    for (let round = 0; round < 3; round++) {
      const k = await asyncOpsPerSecond(() => put(keelUrl, notifyBody(target, uid++)), options);
      const b = await asyncOpsPerSecond(() => put(`${bareUrl}${NOTIFY_PATH}`, notifyBody(target, uid++)), options);
      keelRun.rates.push(k.rate);
      keelRun.latencies.push(...k.latencies);
      bareRun.rates.push(b.rate);
      bareRun.latencies.push(...b.latencies);
    }
    const keelRate = median(keelRun.rates);
    const bareRate = median(bareRun.rates);
    const keelP99 = percentile(keelRun.latencies, 99);
    const bareP99 = percentile(bareRun.latencies, 99);
    return [
      result('push-dovecot', 'notify answers/s (auth, checks, routing queued; 16 concurrent)', keelRate, 'ops/s', 'higher', { name: 'bare fastify route, same JSON', value: bareRate }),
      result('push-dovecot', 'notify answer p99', keelP99, 'ms', 'lower', { name: 'bare fastify route, same JSON', value: bareP99 }, `p50 ${percentile(keelRun.latencies, 50).toFixed(2)} ms vs ${percentile(bareRun.latencies, 50).toFixed(2)} ms`),
    ];
  } finally {
    await bare.close();
    await keel.stop();
  }
}

interface Sockets {
  connectV2(url: string, credentials: { session?: string; cookie?: string }): Promise<{ next(event: string): Promise<unknown[]>; close(): void }>;
}
interface Login { session: string; cookie: string }

const load = async <T>(path: string): Promise<T> => (await import(new URL(path, import.meta.url).href)) as T;

/** Real Dovecot LMTP delivery → Dovecot's OX driver → Keel → PNS → Socket.IO v2 event, one message at a time. */
async function deliveryLatency(): Promise<BenchResult[]> {
  const skip = dovecotSkipReason();
  if (skip !== undefined) {
    process.stderr.write(`push-dovecot delivery latency skipped: ${skip}\n`);
    return [];
  }
  const { connectV2 } = await load<Sockets>('../../../../plugins/websockets/dist/test/clients.js');
  const { login } = await load<{ login(url: string, name: string, password: string): Promise<Login> }>('../../../../plugins/websockets/dist/test/support.js');
  // No PNS buffering delay: the figure is the path's own latency, not the configured aggregation window.
  const keel = await stackKernel({
    'com.openexchange.pns.delayDuration': '0',
    'com.openexchange.pns.timerFrequency': '5',
    'com.openexchange.push.allowedClients': 'open-xchange-appsuite',
    'com.openexchange.mail.loginSource': 'mail',
  }, ['websockets', 'pns-transport-websockets']);
  const dovecot = await startDovecot({
    users: [{ login: 'alice@bench.example', password: 'alice-secret' }],
    pushUrl: `http://${REST.login}:${REST.password}@127.0.0.1:${new URL(keel.url).port}${NOTIFY_PATH}`,
  });
  let socket: { close(): void } | undefined;
  try {
    const context = await keel.get(contextServiceRef)!.create({ name: 'bench', loginMappings: ['bench.example'] });
    await keel.get(userServiceRef)!.create(context.id, { login: 'alice', password: 'alice-secret', displayName: 'Alice', email: 'alice@bench.example' });
    await writeFile(join(keel.configDir, 'zz-mail.properties'), `com.openexchange.mail.mailServer=imap://127.0.0.1:${dovecot.imapPort}\n`);
    await keel.kernel.reload();
    const session = await login(keel.url, 'alice@bench.example', 'alice-secret');
    for (let i = 0; i < 500 && (await dovecot.getMetadata('alice@bench.example')) === null; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const client = await connectV2(keel.url, session);
    socket = client;
    const raw = (i: number) => `From: Bench <bench@example.org>\r\nTo: alice@bench.example\r\nSubject: bench ${i}\r\n\r\nbody ${i}\r\n`;
    const latencies: number[] = [];
    for (let i = 0; i < DELIVERIES + 3; i++) {
      const start = performance.now();
      const event = client.next('ox:mail:new');
      await dovecot.deliver('alice@bench.example', raw(i));
      await event;
      if (i >= 3) latencies.push(performance.now() - start);
    }
    return [
      result('push-dovecot', `LMTP delivery → Socket.IO v2 ox:mail:new, p50 (${DELIVERIES} messages)`, percentile(latencies, 50), 'ms', 'lower', undefined, 'real Dovecot 2.3 OX driver; PNS delayDuration=0'),
      result('push-dovecot', `LMTP delivery → Socket.IO v2 ox:mail:new, p99 (${DELIVERIES} messages)`, percentile(latencies, 99), 'ms', 'lower'),
    ];
  } finally {
    socket?.close();
    await keel.stop();
    await dovecot.stop();
  }
}

export async function run(): Promise<BenchResult[]> {
  return [...(await notifyThroughput()), ...(await deliveryLatency())];
}
