import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findBinary, isAlive, redisSkipReason, requireBinary, waitFor } from './index.js';

async function withCi<T>(value: string | undefined, run: () => T): Promise<T> {
  const saved = process.env['CI'];
  if (value === undefined) delete process.env['CI'];
  else process.env['CI'] = value;
  try {
    return await run();
  } finally {
    if (saved === undefined) delete process.env['CI'];
    else process.env['CI'] = saved;
  }
}

test('requireBinary: nothing to say when the binary exists', () => {
  assert.ok(findBinary('node'));
  assert.equal(requireBinary('node'), undefined);
});

test('requireBinary: a missing binary is a loud skip outside CI, naming the package to install', async () => {
  const skipped: string[] = [];
  const reason = await withCi(undefined, () => requireBinary('dovecot-does-not-exist', { skip: (m) => skipped.push(m ?? '') }));
  assert.match(reason ?? '', /^SKIPPED: dovecot-does-not-exist not installed — run: apt-get install /);
  assert.deepEqual(skipped, [reason]);
});

test('requireBinary: a missing binary fails under CI=true', async () => {
  await withCi('true', () => {
    assert.throws(() => requireBinary(['node', 'slapd-does-not-exist']), /slapd-does-not-exist not installed .*CI=true/);
  });
});

test('servers left running by a test process that exits without stop() are killed, temp dirs removed', { skip: redisSkipReason() }, async () => {
  const index = fileURLToPath(new URL('./index.js', import.meta.url));
  const script = `
    import { startRedis } from ${JSON.stringify(index)};
    const redis = await startRedis();
    const pid = Number((await import('node:fs')).readFileSync(redis.dir + '/redis.pid', 'utf8'));
    console.log(JSON.stringify({ pid, dir: redis.dir }));
    process.exit(0);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0);
  const { pid, dir } = JSON.parse(out) as { pid: number; dir: string };
  await waitFor(`redis pid ${pid} to be gone`, () => !isAlive(pid), 5_000);
  assert.equal(existsSync(dir), false);
});
