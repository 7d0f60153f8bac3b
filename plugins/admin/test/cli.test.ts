import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CliError, defineBundle, type AdminClient, type CommandInput } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import commands from '../src/cli.js';
import admin from '../src/index.js';
import { parseScryptHash, SCRYPT_SCHEME, verifyScrypt } from '../src/password-hash.js';

const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Runs the real `keel` command from the repository root, where it discovers this bundle's CLI module. */
function keel(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, KEEL_HOME: repositoryRoot };
    delete env['KEEL_MASTER_PASSWORD'];
    const child = spawn(process.execPath, ['core/bin/keel.js', ...args], { cwd: repositoryRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** The admin client the `keel` CLI hands to commands, reduced to what these commands use. */
function adminClient(baseUrl: string, password: string): AdminClient {
  return {
    baseUrl,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${baseUrl}/admin/v1${path}`, {
        method,
        headers: { authorization: `Basic ${Buffer.from(`oxadminmaster:${password}`).toString('base64')}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const parsed = (await response.json()) as T & { error?: string; code?: string };
      if (!response.ok) throw new CliError(`${parsed.error} (${parsed.code})`, response.status === 401 ? 4 : 1);
      return parsed;
    },
    fetch: (path, init) => fetch(`${baseUrl}${path}`, init),
  };
}

async function run(name: string, client: AdminClient, positionals: string[] = [], json = false): Promise<{ code: number | void; lines: string[] }> {
  const command = commands.commands.find((candidate) => candidate.name === name);
  assert.ok(command, `command ${name}`);
  const lines: string[] = [];
  const input: CommandInput = { values: {}, positionals, admin: client, out: (line = '') => void lines.push(line), err: (line = '') => void lines.push(line), json, env: {} };
  return { code: await command.run(input), lines };
}

describe('admin: CLI commands against a running server', () => {
  let kernel: TestKernel;
  let client: AdminClient;

  before(async () => {
    kernel = await startTestKernel({
      bundles: { admin, sleeper: defineBundle({ start() {} }) },
      files: { mpasswd: 'oxadminmaster:{PLAIN}cli-secret\n' },
    });
    client = adminClient(kernel.url, 'cli-secret');
  });

  after(async () => {
    await kernel?.stop();
  });

  it('bundle list prints a table, or JSON with --json', async () => {
    const table = await run('bundle list', client);
    assert.match(table.lines[0]!, /^NAME\s+VERSION\s+STATUS\s+STATE/);
    assert.ok(table.lines.join('\n').includes('sleeper'));
    const json = await run('bundle list', client, [], true);
    assert.ok((JSON.parse(json.lines.join('\n')) as Array<{ name: string }>).some((b) => b.name === 'admin'));
  });

  it('bundle stop and bundle start change the state', async () => {
    const stopped = await run('bundle stop', client, ['sleeper']);
    assert.equal(stopped.code, 0);
    assert.match(stopped.lines[0]!, /sleeper stopped: RESOLVED/);
    const started = await run('bundle start', client, ['sleeper']);
    assert.equal(started.code, 0);
    assert.match(started.lines[0]!, /sleeper started: ACTIVE/);
  });

  it('bundle start without a name is a usage error', async () => {
    await assert.rejects(run('bundle start', client), (error: unknown) => error instanceof CliError && error.exitCode === 2);
  });

  it('a wrong master password surfaces as a CliError', async () => {
    await assert.rejects(run('bundle list', adminClient(kernel.url, 'wrong')), (error: unknown) => error instanceof CliError && /ADM-0001/.test(error.message));
  });

  it('works through the real keel command: bundle list and a wrong password', async () => {
    const listed = await keel(['bundle', 'list', '--json', '--url', kernel.url, '-P', 'cli-secret']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok((JSON.parse(listed.stdout) as Array<{ name: string }>).some((b) => b.name === 'sleeper'));
    const refused = await keel(['bundle', 'list', '--url', kernel.url, '-P', 'wrong']);
    assert.equal(refused.code, 4);
    assert.match(refused.stderr, /ADM-0001/);
  });

  it('keel mpasswd prints an mpasswd line for the password on stdin', async () => {
    const result = await keel(['mpasswd', '-A', 'root'], 'line-secret\n');
    assert.equal(result.code, 0, result.stderr);
    const line = result.stdout.trim();
    assert.ok(line.startsWith(`root:${SCRYPT_SCHEME}`), line);
    const hash = parseScryptHash(line.slice(`root:${SCRYPT_SCHEME}`.length))!;
    assert.equal(await verifyScrypt('line-secret', hash), true);
  });
});

