import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { adminAuthRef } from '@keel/plugin-sdk';
import { startTestKernel, type TestKernel } from '@keel/plugin-sdk/testing';
import admin from '../src/index.js';
import { basic, call } from './support.js';

/** Runs `action` while collecting what is written to stdout (the generated password goes there, not to the log). */
async function captureStdout<T>(action: () => Promise<T>): Promise<{ result: T; output: string }> {
  const original = process.stdout.write.bind(process.stdout);
  let output = '';
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return original(chunk, ...(rest as []));
  }) as typeof process.stdout.write;
  try {
    return { result: await action(), output };
  } finally {
    process.stdout.write = original;
  }
}

describe('admin: where the master password comes from', () => {
  let kernel: TestKernel | undefined;
  afterEach(async () => {
    delete process.env['KEEL_MASTER_PASSWORD'];
    await kernel?.stop();
    kernel = undefined;
  });

  it('generates a password at first start, prints it once and stores only its hash', async () => {
    delete process.env['KEEL_MASTER_PASSWORD'];
    const first = await captureStdout(() => startTestKernel({ bundles: { admin } }));
    kernel = first.result;
    const lines = first.output.split('\n').filter((line) => line.includes('oxadminmaster'));
    assert.equal(lines.length, 1, first.output);
    const password = /shown only this once\): (\S+)/.exec(lines[0]!)?.[1];
    assert.ok(password !== undefined && password.length >= 20, lines[0]);
    const file = join(kernel.dataDir, 'mpasswd');
    assert.ok(lines[0]!.includes(file), 'the line says where the hash is stored');

    const stored = await readFile(file, 'utf8');
    assert.match(stored, /^oxadminmaster:\{scrypt\}N=\d+,r=\d+,p=\d+\$/m);
    assert.ok(!stored.includes(password), 'the password itself is not stored');

    assert.equal((await call(kernel.url, 'GET', '/admin/v1/bundles', basic('oxadminmaster', password))).status, 200);
    assert.equal(await kernel.get(adminAuthRef)!.check('oxadminmaster', password), true);

    // A restart reads the stored hash: nothing is printed again and the password still works.
    const again = await captureStdout(async () => {
      await kernel!.kernel.stopBundle('admin');
      await kernel!.kernel.startBundle('admin');
    });
    assert.ok(!again.output.includes(password), 'printed only once');
    assert.equal(await kernel.get(adminAuthRef)!.check('oxadminmaster', password), true);
    assert.equal(await kernel.get(adminAuthRef)!.check('oxadminmaster', 'wrong'), false);
  });

  it('takes the password from KEEL_MASTER_PASSWORD before any file', async () => {
    process.env['KEEL_MASTER_PASSWORD'] = 'from-the-environment';
    const started = await captureStdout(() => startTestKernel({ bundles: { admin }, files: { mpasswd: 'oxadminmaster:{PLAIN}from-the-file\n' } }));
    kernel = started.result;
    assert.ok(!started.output.includes('shown only this once'));
    const auth = kernel.get(adminAuthRef)!;
    assert.equal(await auth.check('oxadminmaster', 'from-the-environment'), true);
    assert.equal(await auth.check('oxadminmaster', 'from-the-file'), false);
  });

  it('honours a configured master login', async () => {
    kernel = await startTestKernel({ bundles: { admin }, properties: { 'keel.admin.login': 'root' }, files: { mpasswd: 'root:{PLAIN}root-secret\noxadminmaster:{PLAIN}other\n' } });
    const auth = kernel.get(adminAuthRef)!;
    assert.equal(await auth.check('root', 'root-secret'), true);
    assert.equal(await auth.check('oxadminmaster', 'other'), false);
  });

  it('refuses to start with a malformed mpasswd entry, naming file and line', async () => {
    kernel = await startTestKernel({ bundles: { admin }, files: { mpasswd: '\noxadminmaster:{md5}abc\n' } });
    const info = kernel.bundle('admin');
    assert.notEqual(info?.state, 'ACTIVE');
    assert.match(info?.error?.message ?? '', /mpasswd:2/);
  });
});
