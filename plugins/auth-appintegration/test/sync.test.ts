// User sync from a separate Application Integration server: 10,000 users created, updated, disabled, planned.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CliError, contextServiceRef, userServiceRef, type CommandInput, type User, type UserService } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import commands from '../src/cli.js';
import authAppintegration from '../src/index.js';
import type { SyncJob } from '../src/sync-jobs.js';
import type { SyncSummary } from '../src/user-sync.js';
import { startFakeIntegrationServer, type FakeIntegrationServer, type RemoteListUser } from './fake-integration-server.js';
import { adminClient, basic, loadBundle, MASTER_PASSWORD } from './support.js';

/** A job, or the `{error, code}` of a refused request. */
type JobOrError = Omit<SyncJob, 'error'> & { error?: string; code?: string };

const COUNT = 10_000;
const CID = 20;

function remoteUser(i: number): RemoteListUser {
  return { userName: `user${i}`, distinguishedName: `uid=user${i},dc=example,dc=com`, fullName: `User ${i}`, emailAddresses: [`user${i}@example.com`, `u${i}@example.com`] };
}

async function allUsers(users: UserService, contextId: number): Promise<Map<string, User>> {
  const byLogin = new Map<string, User>();
  for await (const user of users.stream(contextId, 1000)) byLogin.set(user.login, user);
  return byLogin;
}

async function runCli(keel: TestKernel, values: Record<string, string | boolean>, json = false): Promise<{ code: number | void; out: string[]; err: string[] }> {
  const command = commands.commands.find((candidate) => candidate.name === 'appintegration sync')!;
  const out: string[] = [];
  const err: string[] = [];
  const input: CommandInput = { values, positionals: [], admin: adminClient(keel.url), out: (line = '') => void out.push(line), err: (line = '') => void err.push(line), json, env: {} };
  return { code: await command.run(input), out, err };
}

describe('auth-appintegration: user sync', () => {
  let fake: FakeIntegrationServer;
  let scheduled: FakeIntegrationServer;
  let keel: TestKernel;
  let users: UserService;

  const sync = async (body: Record<string, unknown>, password = MASTER_PASSWORD) => {
    const response = await fetch(`${keel.url}/admin/v1/appintegration/sync`, {
      method: 'POST',
      headers: { authorization: basic('oxadminmaster', password), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as JobOrError };
  };

  before(async () => {
    fake = await startFakeIntegrationServer();
    fake.users = Array.from({ length: COUNT }, (_, i) => remoteUser(i + 1));
    scheduled = await startFakeIntegrationServer();
    scheduled.users = [{ userName: 'sam', fullName: 'Sam', emailAddresses: ['sam@sched.test'] }];
    keel = await startTestKernel({
      bundles: {
        'storage-sql': await loadBundle('storage-sql'),
        auth: await loadBundle('auth'),
        'auth-database': await loadBundle('auth-database'),
        admin: await loadBundle('admin'),
        'auth-appintegration': authAppintegration,
      },
      files: {
        mpasswd: `oxadminmaster:{PLAIN}${MASTER_PASSWORD}\n`,
        'auth-appintegration.yml': [
          `${CID}: { url: "${fake.url}", login: keel, password: ais-secret, timeoutMs: 2000 }`,
          `21: { url: "${scheduled.url}", login: keel, password: ais-secret, syncSchedule: 0.02 }`,
          `22: { url: "${fake.url}", login: keel, password: ais-secret }`,
          '',
        ].join('\n'),
      },
      startTimeoutMs: 20_000,
    });
    assert.equal(keel.bundle('auth-appintegration')?.state, 'ACTIVE', keel.bundle('auth-appintegration')?.error?.message);
    users = keel.get(userServiceRef)!;
    const contexts = keel.get(contextServiceRef)!;
    await contexts.create({ id: CID, name: 'synced', loginMappings: ['example.com'] });
    await contexts.create({ id: 21, name: 'scheduled', loginMappings: ['sched.test'] });
  });

  after(async () => {
    await keel?.stop();
    await fake?.close();
    await scheduled?.close();
  });

  it(`creates ${COUNT} users`, async () => {
    const started = performance.now();
    const { status, body } = await sync({ contextId: CID });
    const ms = performance.now() - started;
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.state, 'done');
    const summary = body.summary!;
    assert.deepEqual(
      { listed: summary.listed, created: summary.created, updated: summary.updated, disabled: summary.disabled, unchanged: summary.unchanged, skipped: summary.skipped, failed: summary.failed },
      { listed: COUNT, created: COUNT, updated: 0, disabled: 0, unchanged: 0, skipped: 0, failed: 0 },
    );
    console.log(`# sync created ${COUNT} users in ${Math.round(ms)} ms (${Math.round(COUNT / (ms / 1000))} users/s)`);
    const user = (await users.findByLogin(CID, 'user42'))!;
    assert.equal(user.source, 'appintegration');
    assert.equal(user.displayName, 'User 42');
    assert.equal(user.email, 'user42@example.com');
    assert.deepEqual(user.aliases, ['u42@example.com']);
    assert.equal(user.externalDn, 'uid=user42,dc=example,dc=com');
    assert.equal(await users.count(CID), COUNT);
  });

  it('a second run changes nothing', async () => {
    const { body } = await sync({ contextId: CID });
    assert.equal(body.summary!.unchanged, COUNT);
    assert.equal(body.summary!.created + body.summary!.updated + body.summary!.disabled, 0);
  });

  it('a dry run prints the plan and changes nothing; the real run then does exactly that', async () => {
    const list = fake.users.slice(0, COUNT - 100).map((user, i) => {
      const n = i + 1;
      if (n <= 100) return { ...user, fullName: `Renamed ${n}` };
      if (n <= 150) return { ...user, emailAddresses: [`new${n}@example.com`] };
      return user;
    });
    for (let i = 1; i <= 20; i++) list.push({ userName: `new${i}`, fullName: `New ${i}`, emailAddresses: [`fresh${i}@example.com`] });
    await users.create(CID, { login: 'admin-local', password: 'x-secret', displayName: 'Local admin', email: 'admin@example.com' });
    list.push({ userName: 'admin-local', emailAddresses: ['admin@example.com'] });
    list.push({ fullName: 'nobody' } as RemoteListUser);
    list.push(remoteUser(5));
    fake.users = list;
    // Sent in small chunks without Content-Length, to read the list across many chunk boundaries.
    fake.listAnswer = () => ({ body: JSON.stringify(list), chunkBytes: 1000, contentType: 'text/json' });

    const dry = await sync({ contextId: CID, dryRun: true });
    const plan = dry.body.summary!;
    assert.equal(plan.dryRun, true);
    const counts = (s: SyncSummary) => ({ created: s.created, updated: s.updated, disabled: s.disabled, unchanged: s.unchanged, skipped: s.skipped, failed: s.failed });
    assert.deepEqual(counts(plan), { created: 20, updated: 150, disabled: 100, unchanged: COUNT - 250, skipped: 3, failed: 0 });
    assert.equal(plan.plan!.length, 270);
    assert.deepEqual(plan.plan![0], { action: 'update', login: 'user1', userId: (await users.findByLogin(CID, 'user1'))!.id, changes: ["displayName: 'User 1' → 'Renamed 1'"] });
    assert.deepEqual(plan.plan!.find((c) => c.login === 'user101')!.changes, ["email: 'user101@example.com' → 'new101@example.com'", 'aliases: [u101@example.com] → []']);
    assert.equal(plan.plan!.find((c) => c.login === 'new1')!.action, 'create');
    assert.equal(plan.plan!.find((c) => c.login === 'user9950')!.action, 'disable');
    assert.equal(plan.problemCount, 3);
    assert.ok(plan.problems.some((p) => /'admin-local': a 'local' user/.test(p)), plan.problems.join('\n'));
    assert.ok(plan.problems.some((p) => /userName is missing/.test(p)));
    assert.ok(plan.problems.some((p) => /'user5': listed twice/.test(p)));
    assert.equal((await users.findByLogin(CID, 'user1'))!.displayName, 'User 1', 'the dry run changed nothing');
    assert.equal(await users.findByLogin(CID, 'new1'), undefined);

    const started = performance.now();
    const real = await sync({ contextId: CID });
    console.log(`# sync of ${COUNT} listed users with 270 changes took ${Math.round(performance.now() - started)} ms`);
    assert.deepEqual(counts(real.body.summary!), counts(plan));
    assert.equal(real.body.summary!.plan, undefined);
    const after = await allUsers(users, CID);
    assert.equal(after.get('user1')!.displayName, 'Renamed 1');
    assert.equal(after.get('user101')!.email, 'new101@example.com');
    assert.deepEqual(after.get('user101')!.aliases, []);
    assert.equal(after.get('new7')!.source, 'appintegration');
    assert.equal(after.get('user9950')!.enabled, false, 'disabled, never deleted');
    assert.match(after.get('user9950')!.attributes['appintegration/disabledBySync'] ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.equal(after.get('admin-local')!.displayName, 'Local admin', 'users of other sources are left alone');
    assert.equal(after.size, COUNT + 20 + 1);
  });

  it('users coming back are enabled again, users an admin disabled stay disabled', async () => {
    const manual = (await users.findByLogin(CID, 'user200'))!;
    await users.update(CID, manual.id, { enabled: false });
    const seen = new Set<string>();
    const kept = fake.users.filter((user) => user.userName !== undefined && user.userName !== 'admin-local' && !seen.has(user.userName) && seen.add(user.userName));
    const list = [...kept, ...Array.from({ length: 10 }, (_, i) => remoteUser(COUNT - 100 + i + 1))];
    fake.listAnswer = undefined;
    fake.users = list;
    const { body } = await sync({ contextId: CID });
    assert.equal(body.summary!.updated, 10);
    assert.equal(body.summary!.disabled, 0);
    const back = (await users.findByLogin(CID, `user${COUNT - 95}`))!;
    assert.equal(back.enabled, true);
    assert.equal(back.attributes['appintegration/disabledBySync'], undefined);
    assert.equal((await users.findByLogin(CID, 'user200'))!.enabled, false);
  });

  it('a list that is garbage, breaks off or is empty disables nobody', async () => {
    const before = await users.count(CID);
    const enabledBefore = [...(await allUsers(users, CID)).values()].filter((u) => u.enabled).length;

    fake.listAnswer = () => ({ body: '<html><body>Fatal error: database gone</body></html>', contentType: 'text/html' });
    const garbage = await sync({ contextId: CID });
    assert.equal(garbage.status, 502);
    assert.equal(garbage.body.code, 'AIA-0003');
    assert.match(garbage.body.error!, /not a JSON array/);

    fake.listAnswer = () => ({ body: JSON.stringify(fake.users), cutAfterBytes: 50_000 });
    const cut = await sync({ contextId: CID });
    assert.equal(cut.status, 502);
    assert.equal(cut.body.code, 'AIA-0002');

    fake.listAnswer = () => ({ body: '[]' });
    const empty = await sync({ contextId: CID });
    assert.equal(empty.status, 200);
    assert.equal(empty.body.summary!.disabled, 0);
    assert.match(empty.body.summary!.problems[0]!, /refusing to disable all/);

    const enabledAfter = [...(await allUsers(users, CID)).values()].filter((u) => u.enabled).length;
    assert.equal(await users.count(CID), before);
    assert.equal(enabledAfter, enabledBefore);
    fake.listAnswer = undefined;
  });

  it('keel appintegration sync --dry-run shows progress, the summary and the plan', async () => {
    fake.users = fake.users.map((user) => (user.userName === 'user3' ? { ...user, fullName: 'Third' } : user));
    const dry = await runCli(keel, { context: String(CID), 'dry-run': true });
    assert.equal(dry.code, 0);
    assert.ok(dry.err.some((line) => /fetching the list/.test(line)), dry.err.join('\n'));
    assert.ok(dry.err.some((line) => /\[#+\] 100% done/.test(line)), dry.err.join('\n'));
    assert.match(dry.out[0]!, new RegExp(`^Dry run of the sync of context ${CID}: created 0, updated 1, disabled 0, unchanged \\d+, skipped 0, failed 0`));
    assert.equal(dry.out[1], 'Nothing was changed. The plan:');
    assert.match(dry.out[2]!, /^ACTION\s+LOGIN\s+CHANGES\nupdate\s+user3\s+displayName: 'Renamed 3' → 'Third'$/);
    assert.equal((await users.findByLogin(CID, 'user3'))!.displayName, 'Renamed 3');

    const real = await runCli(keel, { context: String(CID) });
    assert.equal(real.code, 0);
    // Which phases a poll catches depends on timing; the first and the last line do not.
    assert.match(real.err[0]!, /fetching the list/);
    assert.match(real.err.at(-1)!, /100% done/);
    assert.match(real.out[0]!, new RegExp(`^Synchronised context ${CID}: created 0, updated 1, disabled 0`));
    assert.equal((await users.findByLogin(CID, 'user3'))!.displayName, 'Third');

    const json = await runCli(keel, { context: String(CID) }, true);
    assert.equal((JSON.parse(json.out.join('\n')) as SyncSummary).updated, 0);
  });

  it('the CLI names what is wrong', async () => {
    await assert.rejects(runCli(keel, {}), (error: unknown) => error instanceof CliError && error.exitCode === 2 && /-c <context id>/.test(error.message));
    await assert.rejects(runCli(keel, { context: '99' }), (error: unknown) => error instanceof CliError && /Context 99 has no Application Integration server/.test(error.message));
    fake.listAnswer = () => ({ body: 'nope' });
    try {
      await assert.rejects(runCli(keel, { context: String(CID) }), (error: unknown) => error instanceof CliError && /sync of context 20 failed: .*AIA-0003/.test(error.message));
    } finally {
      fake.listAnswer = undefined;
    }
  });

  it('one sync per context at a time; jobs can be polled', async () => {
    fake.listAnswer = () => ({ body: JSON.stringify(fake.users), delayMs: 300 });
    try {
      const started = await sync({ contextId: CID, wait: false });
      assert.equal(started.status, 202);
      assert.equal(started.body.state, 'running');
      const busy = await sync({ contextId: CID });
      assert.equal(busy.status, 409);
      assert.equal(busy.body.code, 'AIA-0005');
      let job = started.body as SyncJob;
      while (job.state === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 50));
        job = await adminClient(keel.url).request<SyncJob>('GET', `/appintegration/sync/${job.id}`);
      }
      assert.equal(job.state, 'done');
      assert.equal(job.trigger, 'admin');
    } finally {
      fake.listAnswer = undefined;
    }
  });

  it('the admin endpoint checks its caller and its input', async () => {
    const listRequests = fake.requests.filter((r) => r.form['cmd'] === 'list').length;
    assert.equal((await sync({ contextId: CID }, 'wrong')).status, 401);
    const missing = await sync({ dryRun: true });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.code, 'AIA-0006');
    assert.equal((await sync({ contextId: CID, extra: 1 })).body.code, 'AIA-0006');
    const unknown = await sync({ contextId: 99 });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'AIA-0004');
    const notCreated = await sync({ contextId: 22 });
    assert.equal(notCreated.status, 404);
    assert.equal(notCreated.body.code, 'AIA-0008');
    assert.equal(fake.requests.filter((r) => r.form['cmd'] === 'list').length, listRequests, 'the server was not asked');
    const response = await fetch(`${keel.url}/admin/v1/appintegration/sync/no-such-job`, { headers: { authorization: basic('oxadminmaster', MASTER_PASSWORD) } });
    assert.equal(response.status, 404);
  });

  it('syncs on the configured schedule', async () => {
    // syncSchedule 0.02 minutes: every 1.2 s.
    for (let attempt = 0; attempt < 100 && (await users.findByLogin(21, 'sam')) === undefined; attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
    const sam = await users.findByLogin(21, 'sam');
    assert.ok(sam, 'the scheduled sync created sam');
    assert.equal(sam.email, 'sam@sched.test');
  });
});
