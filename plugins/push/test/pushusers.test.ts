import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CliError, type AdminClient, type CommandInput } from '@keel/plugin-sdk';
import commands from '../src/cli.js';
import { MASTER, createUsers, eventually, probeManager, startPushKernel, type PushKernel } from './support.js';

const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** The real `keel` command, run from the repository root where it discovers this bundle's CLI module. */
function keel(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, KEEL_HOME: repositoryRoot };
    delete env['KEEL_MASTER_PASSWORD'];
    const child = spawn(process.execPath, ['core/bin/keel.js', ...args], { cwd: repositoryRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the command in-process with a given admin client (for the argument checks that never reach a server). */
async function runDirect(values: CommandInput['values']): Promise<unknown> {
  const command = commands.commands.find((c) => c.name === 'pushusers')!;
  const unreachable: AdminClient = { baseUrl: 'http://unused', request: () => Promise.reject(new Error('no server in this test')), fetch: () => Promise.reject(new Error('no server')) };
  return command.run({ values, positionals: [], admin: unreachable, out: () => undefined, err: () => undefined, json: false, env: {} });
}

describe('keel pushusers', () => {
  let push: PushKernel;
  let url: string;
  let ids: Array<{ contextId: number; userId: number }>;
  const pushusers = (...args: string[]) => keel(['pushusers', '--url', url, '-A', MASTER.login, '-P', MASTER.password, ...args]);

  before(async () => {
    push = await startPushKernel({ probe: probeManager([]) }, { 'com.openexchange.mail.passwordSource': 'global', 'com.openexchange.mail.masterPassword': 'imap-master' });
    url = push.kernel.url;
    ({ users: ids } = await createUsers(push, ['ivy', 'jack', 'kim']));
  });

  after(async () => {
    await push?.stop();
  });

  it('nothing running, nothing registered: the original messages', async () => {
    const running = await pushusers();
    assert.equal(running.code, 0, running.stderr);
    assert.equal(running.stdout, 'No running push users on this node.\n');
    const registered = await pushusers('-l');
    assert.equal(registered.stdout, 'No registered push users.\n');
  });

  it('running listeners: Context User Permanent; registrations: Context User Client', async () => {
    const [ivy, jack, kim] = ids as [typeof ids[0], typeof ids[0], typeof ids[0]];
    await push.push.registerPermanent({ ...ivy, client: 'open-xchange-mobile-api-facade' });
    await push.push.registerPermanent({ ...jack, client: 'USM-EAS' });
    await push.sessions.create({ contextId: kim.contextId, userId: kim.userId, loginName: 'kim', client: 'USM-EAS', ip: '127.0.0.1' });
    await eventually(() => push.push.runningListeners().length === 3, 'three listeners');
    const c = String(ivy.contextId).padStart(7);
    const running = await pushusers();
    assert.equal(running.code, 0, running.stderr);
    assert.equal(running.stdout, [
      'Context  User  Permanent',
      `${c}  ${String(ivy.userId).padEnd(4)}  true`,
      `${c}  ${String(jack.userId).padEnd(4)}  true`,
      `${c}  ${String(kim.userId).padEnd(4)}  false`,
      '',
    ].join('\n'));
    const registered = await pushusers('--list-client-registrations');
    assert.equal(registered.stdout, [
      'Context  User  Client',
      `${c}  ${String(ivy.userId).padEnd(4)}  open-xchange-mobile-api-facade`,
      `${c}  ${String(jack.userId).padEnd(4)}  USM-EAS`,
      '',
    ].join('\n'));
  });

  it('-r -c -u -i deletes a registration with the original answer; a second time it fails', async () => {
    const ivy = ids[0]!;
    const removed = await pushusers('-r', '-c', String(ivy.contextId), '-u', String(ivy.userId), '-i', 'open-xchange-mobile-api-facade');
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, `Push registration successfully deleted for user ${ivy.userId} in context ${ivy.contextId} for client 'open-xchange-mobile-api-facade'\n`);
    const again = await pushusers('-r', '-c', String(ivy.contextId), '-u', String(ivy.userId), '-i', 'open-xchange-mobile-api-facade');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /No push registration for user \d+ in context \d+ for client 'open-xchange-mobile-api-facade' \(PSH-0002\)/);
  });

  it('-l with -r is refused; -r needs -c, -u and -i; -c without -r is refused; a wrong -P is exit 4', async () => {
    const both = await pushusers('-l', '-r', '-c', '1', '-u', '2', '-i', 'x');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /-l and -r are mutually exclusive/);
    const wrong = await keel(['pushusers', '--url', url, '-P', 'not-the-password']);
    assert.equal(wrong.code, 4);
    const reject = async (values: CommandInput['values'], pattern: RegExp) =>
      assert.rejects(runDirect(values), (error: unknown) => error instanceof CliError && error.exitCode === 2 && pattern.test(error.message));
    await reject({ unregister: true, context: '1' }, /-r needs -u <userId>, -i <client>/);
    await reject({ unregister: true, context: 'x', user: '2', client: 'c' }, /-c needs a positive integer/);
    await reject({ context: '1' }, /only used with -r/);
  });

  it('-h prints the usage with the original flags', async () => {
    const help = await keel(['pushusers', '-h']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /usage: keel pushusers \[-l \| \[ -r -c <contextId> -u <userId> -i <client>\] \]/);
    for (const flag of ['-l, --list-client-registrations', '-r, --unregister', '-c, --context', '-u, --user', '-i, --client', '-A, --adminuser', '-P, --adminpass', '-h, --help']) {
      assert.ok(help.stdout.includes(flag), flag);
    }
  });
});
