import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { main } from '../src/cli/main.js';
import { createInstallation, ref } from './fixtures.js';

const KEEL_BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/keel.js');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line = '') => void out.push(line), err: (line = '') => void err.push(line) }, out, err };
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    }).on('error', reject);
  });
}

describe('keel CLI', () => {
  let installation: Awaited<ReturnType<typeof createInstallation>>;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    installation = await createInstallation();
    await installation.addBundle({ name: 'provider', activator: `${ref('s', 'demo.s')} export default defineBundle({ provides: [s], start({ register }) { register(s, {}); } });` });
    await installation.addBundle({ name: 'needs-mail', activator: `${ref('m', 'mail.access')} export default defineBundle({ requires: { m }, start() {} });` });
    await installation.addBundle({ name: 'off', activator: 'export default defineBundle({ start() {} });' });
    await installation.addBundle({ name: 'with-cli', keel: { cli: './cli.js' }, activator: 'export default defineBundle({ start() {} });' });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(installation.root, 'plugins', 'with-cli', 'cli.js'), `import { defineCommands } from '@keel/plugin-sdk';
export default defineCommands([{ name: 'demo hello', summary: 'Says hello', options: { name: { type: 'string', short: 'n', description: 'who' } },
  async run({ values, out }) { out('hello ' + (values.name ?? 'world')); } }]);`);
    await installation.writeConfig('packages.yml', 'packages:\n  status:\n    off: disabled\n    no-such-bundle: enabled\n');
    env = { PATH: process.env.PATH, KEEL_HOME: installation.root };
  });

  after(() => installation.remove());

  test('keel bundles --json reports status, state and errors, and exits 1 when an enabled bundle cannot resolve', async () => {
    const { io, out } = capture();
    const code = await main(['bundles', '--json'], io, env);
    assert.equal(code, 1);
    const bundles = JSON.parse(out.join('\n')) as Array<{ name: string; status: string; state: string; error?: { code: string } }>;
    const byName = new Map(bundles.map((b) => [b.name, b]));
    assert.equal(byName.get('provider')?.state, 'RESOLVED');
    assert.equal(byName.get('off')?.status, 'disabled');
    assert.equal(byName.get('off')?.state, 'UNINSTALLED');
    assert.equal(byName.get('needs-mail')?.error?.code, 'KEEL-SERVICE-MISSING');
  });

  test('keel bundles prints a table', async () => {
    const { io, out } = capture();
    await main(['bundles'], io, env);
    assert.match(out[0]!, /^Bundle\s+Version\s+Status\s+State\s+Error/);
    assert.ok(out.join('\n').includes('KEEL-SERVICE-MISSING'));
  });

  test('help lists built-in and bundle commands; unknown commands and flags exit 2', async () => {
    const help = capture();
    assert.equal(await main(['--help'], help.io, env), 0);
    assert.match(help.out.join('\n'), /start\s+Start the server/);
    assert.match(help.out.join('\n'), /demo hello\s+Says hello/);
    const commandHelp = capture();
    assert.equal(await main(['demo', 'hello', '--help'], commandHelp.io, env), 0);
    assert.match(commandHelp.out.join('\n'), /-n, --name <value>\s+who/);
    const unknown = capture();
    assert.equal(await main(['frobnicate'], unknown.io, env), 2);
    assert.match(unknown.err.join('\n'), /Unknown command 'frobnicate'/);
    const badFlag = capture();
    assert.equal(await main(['bundles', '--bogus'], badFlag.io, env), 2);
    assert.match(badFlag.err.join('\n'), /--bogus/);
  });

  test('a bundle command runs with its options', async () => {
    const { io, out } = capture();
    assert.equal(await main(['demo', 'hello', '-n', 'operator'], io, env), 0);
    assert.deepEqual(out, ['hello operator']);
  });

  test('keel start serves /health, reloads on SIGHUP and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [KEEL_BIN, 'start'], { env: { ...env, KEEL_HTTP_PORT: String(port), KEEL_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
    try {
      for (let i = 0; i < 300 && !log.includes('Keel listening'); i++) await new Promise((r) => setTimeout(r, 20));
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string };
      assert.equal(health.status, 'degraded', 'needs-mail cannot start');
      assert.match(log, /Bundles needs-mail, off were not started: needs-mail \(KEEL-SERVICE-MISSING/);
      const pid = Number((await readFile(join(installation.root, 'data', 'keel.pid'), 'utf8')).trim());
      assert.equal(pid, child.pid);
      const reload = capture();
      assert.equal(await main(['reload'], reload.io, env), 0);
      assert.match(reload.out[0]!, /Reload signal sent/);
      for (let i = 0; i < 300 && !log.includes('reload finished'); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(log.includes('reload finished'));
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    assert.ok(log.includes('shutting down'));
  });
});
