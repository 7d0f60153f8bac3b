// Three `keel start` processes on loopback sharing a private Redis and one MariaDB database:
// sessions, Socket.IO delivery across nodes, permanent listeners spread and moved on SIGKILL,
// and a Redis restart in the middle of traffic.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, mariaDbSkipReason, onExit, redisSkipReason, startMariaDbDatabase, startRedis, type MariaDbDatabase, type RedisServer } from '@keel/test/harness';
import { createKeelNode, REPO_ROOT, type KeelNode } from './keel-node.js';
import { connectSocket, eventually, type TestSocket } from './support.js';

const MASTER = 'cluster-test-master';
const ADMIN = `Basic ${Buffer.from(`oxadminmaster:${MASTER}`).toString('base64')}`;
const ENABLED = new Set(['storage-sql', 'auth', 'auth-database', 'sessiond', 'admin', 'provisioning', 'websockets', 'pns-impl', 'pns-transport-websockets', 'push', 'cluster-redis', 'probe-push']);
const PERMANENT_USERS = 6;
const PUSH_CLIENT = 'open-xchange-mobile-api-facade';

/** packages.yml enabling exactly the bundles this test needs, whatever else the repository holds. */
async function packagesYml(): Promise<string> {
  const names: string[] = [];
  for (const parent of ['plugins', 'examples']) {
    for (const dir of await readdir(join(REPO_ROOT, parent)).catch(() => [])) {
      const pkg = JSON.parse(await readFile(join(REPO_ROOT, parent, dir, 'package.json'), 'utf8').catch(() => '{}')) as { keel?: { bundle?: string } };
      if (pkg.keel?.bundle) names.push(pkg.keel.bundle);
    }
  }
  const lines = [...new Set([...names, ...ENABLED])].sort().map((name) => `    ${name}: ${ENABLED.has(name) ? 'enabled' : 'disabled'}`);
  return `packages:\n  status:\n${lines.join('\n')}\n`;
}

async function json(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON (${response.status}): ${text}`);
  }
}

async function admin(node: KeelNode, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${node.url}${path}`, {
    method,
    headers: { authorization: ADMIN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = await json(response);
  if (response.status >= 300) throw new Error(`${method} ${path} on ${node.name}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

interface Login { session: string; cookie: string; contextId: number; userId: number }

async function login(node: KeelNode, name: string, password: string): Promise<Login> {
  const response = await fetch(`${node.url}/appsuite/api/login?action=login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'keel-cluster-test/1.0' },
    body: new URLSearchParams({ name, password, client: 'open-xchange-appsuite' }),
  });
  const body = await json(response);
  if (response.status !== 200 || typeof body['session'] !== 'string') throw new Error(`login of ${name} on ${node.name}: ${response.status} ${JSON.stringify(body)}`);
  const cookie = response.headers.getSetCookie().map((line) => line.split(';')[0]!.trim()).find((pair) => pair.startsWith('open-xchange-secret-'))!;
  return { session: body['session'], cookie, contextId: Number(body['context_id']), userId: Number(body['user_id']) };
}

async function whoami(node: KeelNode, session: Login): Promise<Record<string, unknown>> {
  const response = await fetch(`${node.url}/appsuite/api/session?action=whoami&session=${session.session}`, { headers: { cookie: session.cookie, 'user-agent': 'keel-cluster-test/1.0' } });
  return json(response);
}

async function connect(node: KeelNode, session: Login): Promise<TestSocket> {
  return connectSocket(node.url, session.session, session.cookie);
}

interface ProbeListener { contextId: number; userId: number; permanent: boolean; hasPassword: boolean }

async function listeners(node: KeelNode): Promise<ProbeListener[]> {
  const response = await fetch(`${node.url}/probe/listeners`);
  return ((await json(response))['listeners'] as ProbeListener[]).filter((l) => l.permanent);
}

/** Listeners per running node, when every registered user runs exactly once with its credentials and the spread is even. */
async function evenSpread(nodes: readonly KeelNode[], expectedUsers = PERMANENT_USERS): Promise<Map<string, number> | undefined> {
  const running = nodes.filter((n) => n.running);
  const perNode = await Promise.all(running.map(listeners));
  const all = perNode.flat();
  const users = new Set(all.map((l) => `${l.contextId}:${l.userId}`));
  if (all.length !== expectedUsers || users.size !== expectedUsers || !all.every((l) => l.hasPassword)) return undefined;
  const counts = perNode.map((l) => l.length);
  if (Math.max(...counts) - Math.min(...counts) > 1) return undefined;
  return new Map(running.map((n, i) => [n.name, counts[i]!]));
}

describe('three Keel nodes sharing Redis and MariaDB', { timeout: 120_000 }, async () => {
  const skip = redisSkipReason() ?? (await mariaDbSkipReason());
  let redis: RedisServer;
  let database: MariaDbDatabase;
  let base: string;
  const nodes: KeelNode[] = [];
  const pids = new Set<number>();
  let contextId = 0;
  const node = (name: string) => nodes.find((n) => n.name === name)!;

  before(async () => {
    if (skip) return;
    base = await mkdtemp(join(tmpdir(), 'keel-cluster-'));
    [redis, database] = await Promise.all([startRedis(), startMariaDbDatabase()]);
    // SIGKILL whatever is left if this process dies without after().
    onExit(() => pids.forEach((pid) => { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }));
    const packages = await packagesYml();
    for (const name of ['node-a', 'node-b', 'node-c']) {
      nodes.push(await createKeelNode({
        name,
        dir: join(base, name),
        port: await freePort(),
        env: { KEEL_MASTER_PASSWORD: MASTER },
        onSpawn: (pid) => pids.add(pid),
        files: {
          'packages.yml': packages,
          'server.properties': [
            `keel.database.url=${database.url}`,
            `keel.cluster.redis.url=${redis.url}`,
            `keel.cluster.nodeId=${name}`,
            'keel.cluster.prefix=keel-cluster-test:',
            'com.openexchange.push.credstorage.enabled=true',
            'com.openexchange.push.credstorage.passcrypt=cluster test passcrypt',
            '',
          ].join('\n'),
        },
      }));
    }
    // One first, so the shared database is migrated once without three nodes racing for its lock.
    await nodes[0]!.start();
    const context = await admin(nodes[0]!, 'POST', '/admin/v1/contexts', { name: 'example', loginMappings: ['example.com'] });
    contextId = Number(context['id']);
    await admin(nodes[0]!, 'POST', `/admin/v1/contexts/${contextId}/users`, { login: 'alice', password: 'alice-secret', displayName: 'alice', email: 'alice@example.com' });
    // Permanent registrations before the others join: node A runs them all until the cluster forms.
    for (let i = 1; i <= PERMANENT_USERS; i++) {
      const user = await admin(nodes[0]!, 'POST', `/admin/v1/contexts/${contextId}/users`, { login: `user${i}`, password: `user${i}-secret`, displayName: `user${i}`, email: `user${i}@example.com` });
      await admin(nodes[0]!, 'POST', '/admin/v1/push/registrations', { contextId, userId: Number(user['id']), client: PUSH_CLIENT, login: `user${i}`, password: `user${i}-secret` });
    }
    await Promise.all(nodes.slice(1).map((n) => n.start()));
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    // KEEL_TEST_LOG_DIR=<dir> keeps each node's output for a post-mortem.
    const logDir = process.env['KEEL_TEST_LOG_DIR'];
    if (logDir) await Promise.all(nodes.map((n) => writeFile(join(logDir, `${n.name}.log`), n.log())));
    await Promise.all([redis?.stop(), database?.stop()]);
    if (base) await rm(base, { recursive: true, force: true });
  });

  test('a session created on node A works on node B, and its logout on B ends it on A', { skip }, async () => {
    const alice = await login(node('node-a'), 'alice@example.com', 'alice-secret');
    const onB = await whoami(node('node-b'), alice);
    assert.equal((onB['data'] as Record<string, unknown> | undefined)?.['session'] ?? alice.session, alice.session, JSON.stringify(onB));
    assert.equal(onB['error'], undefined, JSON.stringify(onB));
    assert.equal((await whoami(node('node-c'), alice))['error'], undefined);
    const logout = await fetch(`${node('node-b').url}/appsuite/api/login?action=logout&session=${alice.session}`, { method: 'POST', headers: { cookie: alice.cookie, 'user-agent': 'keel-cluster-test/1.0' } });
    await logout.arrayBuffer();
    assert.equal((await whoami(node('node-a'), alice))['code'], 'SES-0203');
  });

  test('a notification sent through node C reaches the sockets on nodes A and B; a logout on A closes both', { skip }, async () => {
    const alice = await login(node('node-a'), 'alice@example.com', 'alice-secret');
    const onA = await connect(node('node-a'), alice);
    const onB = await connect(node('node-b'), alice);
    try {
      const sent = await admin(node('node-c'), 'POST', '/admin/v1/pns/send', { contextId: alice.contextId, userId: alice.userId, topic: 'ox:mail:new', data: { folder: 'default0/INBOX', id: '42' } });
      assert.ok(Number(sent['matches']) >= 1, JSON.stringify(sent));
      for (const received of [onA, onB]) {
        const event = await eventually(() => received.events.find((e) => e.event === 'ox:mail:new'), 'ox:mail:new on a socket');
        assert.deepEqual(event.args[0], { folder: 'default0/INBOX', id: '42' });
      }
      await fetch(`${node('node-a').url}/appsuite/api/login?action=logout&session=${alice.session}`, { method: 'POST', headers: { cookie: alice.cookie, 'user-agent': 'keel-cluster-test/1.0' } }).then((r) => r.arrayBuffer());
      // Node B hears of the logout through Redis and closes its socket of that session too.
      await eventually(() => onB.events.some((e) => e.event === 'session:invalid'), 'session:invalid on node B');
      await eventually(() => onA.events.some((e) => e.event === 'session:invalid'), 'session:invalid on node A');
    } finally {
      onA.socket.close();
      onB.socket.close();
    }
  });

  test('permanent listeners are spread evenly, move within 10 s when a node is SIGKILLed, and come back when it returns', { skip }, async (t) => {
    // Node A ran all six until B and C joined; after one coalesced re-plan each node runs two.
    const spread = await eventually(() => evenSpread(nodes), 'six listeners spread 2/2/2', 20_000);
    assert.deepEqual([...spread.values()], [2, 2, 2]);

    const killedAt = Date.now();
    await node('node-b').kill();
    const moved = await eventually(() => evenSpread(nodes), 'the killed node\'s listeners running on A and C', 10_000);
    const movedAfterMs = Date.now() - killedAt;
    assert.deepEqual([...moved.entries()], [['node-a', 3], ['node-c', 3]]);
    t.diagnostic(`listeners moved ${movedAfterMs} ms after SIGKILL`);

    await node('node-b').start();
    const back = await eventually(() => evenSpread(nodes), 'listeners spread over three nodes again', 20_000);
    assert.deepEqual([...back.entries()], [['node-a', 2], ['node-b', 2], ['node-c', 2]]);
  });

  test('a registration made on one node is planned by every node without a membership change', { skip }, async () => {
    const added: number[] = [];
    for (let i = PERMANENT_USERS + 1; i <= PERMANENT_USERS + 3; i++) {
      const user = await admin(node('node-c'), 'POST', `/admin/v1/contexts/${contextId}/users`, { login: `user${i}`, password: `user${i}-secret`, displayName: `user${i}`, email: `user${i}@example.com` });
      added.push(Number(user['id']));
      await admin(node('node-c'), 'POST', '/admin/v1/push/registrations', { contextId, userId: Number(user['id']), client: PUSH_CLIENT, login: `user${i}`, password: `user${i}-secret` });
    }
    const grown = await eventually(() => evenSpread(nodes, PERMANENT_USERS + 3), 'nine listeners spread 3/3/3', 10_000);
    assert.deepEqual([...grown.values()], [3, 3, 3]);
    for (const userId of added) await admin(node('node-a'), 'DELETE', '/admin/v1/push/registrations', { contextId, userId, client: PUSH_CLIENT });
    const shrunk = await eventually(() => evenSpread(nodes), 'back to six listeners, 2/2/2', 10_000);
    assert.deepEqual([...shrunk.values()], [2, 2, 2]);
  });

  test('a Redis restart in the middle of traffic: nodes keep serving, re-join, and nothing acknowledged is lost', { skip }, async (t) => {
    const earlier = await login(node('node-a'), 'alice@example.com', 'alice-secret');
    let stop = false;
    const outcomes = { ok: 0, failed: 0 };
    /** Sessions whose login was answered: acknowledged, so they must survive. */
    const acknowledged: Array<{ session: Login; on: string }> = [];
    const traffic = (async () => {
      for (let i = 0; !stop; i++) {
        const target = nodes[i % 3]!;
        if (i % 5 === 0) {
          await login(target, 'alice@example.com', 'alice-secret').then(
            (session) => void acknowledged.push({ session, on: target.name }),
            () => void outcomes.failed++,
          );
          continue;
        }
        const answer = await whoami(target, earlier).catch(() => ({ error: 'unreachable' }));
        if (answer['error'] === undefined) outcomes.ok++;
        else outcomes.failed++;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 300));
      await redis.restart();
      for (const n of nodes) {
        await eventually(async () => (await fetch(`${n.url}/health/ready`)).status === 200, `${n.name} ready again`, 20_000);
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      stop = true;
      await traffic;
    }
    t.diagnostic(`during the restart: ${outcomes.ok} whoami answered, ${acknowledged.length} logins answered, ${outcomes.failed} requests failed`);
    for (const { session, on } of acknowledged) {
      for (const n of nodes) assert.equal((await whoami(n, session))['error'], undefined, `a session acknowledged by ${on} is valid on ${n.name}`);
    }
    // The session was acknowledged before the restart: node A wrote it back.
    for (const n of nodes) assert.equal((await whoami(n, earlier))['error'], undefined, `session valid on ${n.name}`);
    const after = await login(node('node-b'), 'alice@example.com', 'alice-secret');
    const socket = await connect(node('node-a'), after);
    try {
      await eventually(async () => {
        await admin(node('node-c'), 'POST', '/admin/v1/pns/send', { contextId: after.contextId, userId: after.userId, topic: 'ox:mail:new', data: { folder: 'default0/INBOX', id: 'after-restart' } });
        await new Promise((r) => setTimeout(r, 200));
        return socket.events.some((e) => e.event === 'ox:mail:new');
      }, 'cross-node delivery after the restart');
    } finally {
      socket.socket.close();
    }
    const spread = await eventually(() => evenSpread(nodes), 'listeners still spread 2/2/2 with their credentials', 20_000);
    assert.deepEqual([...spread.values()], [2, 2, 2]);
  });
});
