// The context/user commands through the real `keel` binary against a running test kernel.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { userServiceRef } from '@keel/plugin-sdk';
import type { TestKernel } from '@keel/plugin-sdk/testing';
import { MASTER } from './master-admin.js';
import { startProvisioningKernel } from './provisioning-kernel.js';

// dist/test → the repository root, where `keel` discovers plugins/provisioning.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const KEEL = join(ROOT, 'core/bin/keel.js');

interface Run { code: number; stdout: string; stderr: string }

describe('keel context/user commands', () => {
  let kernel: TestKernel;
  let home: string;

  /** Runs `keel <args> --url <kernel> -P <master password>` (asynchronously: the server runs in this process). */
  function keel(args: string[], password: string = MASTER.password): Promise<Run> {
    return new Promise((done) => {
      execFile(process.execPath, [KEEL, ...args, '--url', kernel.url, '-P', password], {
        cwd: ROOT,
        env: { ...process.env, KEEL_HOME: ROOT, KEEL_CONFIG_DIR: join(home, 'config'), KEEL_DATA_DIR: join(home, 'data'), KEEL_BUNDLE_DIRS: '' },
        timeout: 30_000,
      }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      });
    });
  }

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'keel-provisioning-cli-'));
    kernel = await startProvisioningKernel();
  });
  after(async () => {
    await kernel?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('creates, lists, configures and deletes a context', async () => {
    const created = await keel(['context', 'create', '-c', '5', '-N', 'Acme', '-L', 'acme.example, acme.org']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^Context 5 created\nid +name +enabled +login mappings\n5 +Acme +true +acme\.example,acme\.org\n$/);

    const listed = await keel(['context', 'list', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout).map((context: { id: number; name: string }) => [context.id, context.name]), [[5, 'Acme']]);

    const configured = await keel(['context', 'set-config', '-c', '5', '--set', 'com.openexchange.a=1', '--set', 'com.openexchange.b=x=y']);
    assert.equal(configured.code, 0, configured.stderr);
    assert.match(configured.stdout, /property +value\ncom\.openexchange\.a +1\ncom\.openexchange\.b +x=y/);
    const removed = await keel(['context', 'set-config', '-c', '5', '--remove', 'com.openexchange.a', '--json']);
    assert.deepEqual(JSON.parse(removed.stdout).config, { 'com.openexchange.b': 'x=y' });
  });

  it('creates users, changes their password and config, and deletes them', async () => {
    const created = await keel(['user', 'create', '-c', '5', '-u', 'jane', '-d', 'Jane Doe', '-e', 'jane@acme.example', '-p', 'first-pw', '--aliases', 'jd@acme.example', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const jane = JSON.parse(created.stdout);
    assert.equal(jane.id, 1);
    assert.deepEqual(jane.aliases, ['jd@acme.example']);

    const listed = await keel(['user', 'list', '-c', '5']);
    assert.match(listed.stdout, /^id +login +display name +email +enabled +aliases\n1 +jane +Jane Doe +jane@acme\.example +true +jd@acme\.example\n$/);

    const password = await keel(['user', 'set-password', '-c', '5', '-u', 'jane', '-p', 'second-pw']);
    assert.equal(password.code, 0, password.stderr);
    assert.equal(password.stdout, 'Password of user 1 in context 5 changed\n');
    assert.equal(await kernel.get(userServiceRef)!.verifyPassword(5, 1, 'second-pw'), true);

    const configured = await keel(['user', 'set-config', '-c', '5', '-i', '1', '--set', 'com.openexchange.x=on', '--json']);
    assert.deepEqual(JSON.parse(configured.stdout).config, { 'com.openexchange.x': 'on' });

    const deleted = await keel(['user', 'delete', '-c', '5', '-u', 'jane']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, 'User 1 deleted from context 5\n');
    assert.equal((await keel(['user', 'list', '-c', '5'])).stdout, '(no users in context 5)\n');
  });

  it('reports errors with the server message and an exit code', async () => {
    const unknown = await keel(['context', 'delete', '-c', '999']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Context 999 does not exist \(CTX-0001\)/);

    const wrongPassword = await keel(['context', 'list'], 'not-the-password');
    assert.equal(wrongPassword.code, 4);
    assert.match(wrongPassword.stderr, /ADM-0001/);

    const missing = await keel(['user', 'create', '-c', '5', '-u', 'x', '-p', 'pw', '-e', 'x@acme.example']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Missing -d\/--displayname/);

    const badId = await keel(['user', 'list', '-c', 'abc']);
    assert.equal(badId.code, 2);
    assert.match(badId.stderr, /-c\/--contextid must be a positive whole number, got 'abc'/);

    const badMail = await keel(['user', 'create', '-c', '5', '-u', 'x', '-p', 'pw', '-d', 'X', '-e', 'not-a-mail']);
    assert.equal(badMail.code, 1);
    assert.match(badMail.stderr, /not a valid mail address \(USR-0003\)/);

    const noUser = await keel(['user', 'delete', '-c', '5', '-u', 'ghost']);
    assert.equal(noUser.code, 1);
    assert.match(noUser.stderr, /No user with login 'ghost' in context 5/);

    const nothing = await keel(['context', 'set-config', '-c', '5']);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /at least one --set/);

    assert.equal((await keel(['context', 'delete', '-c', '5'])).stdout, 'Context 5 deleted\n');
  });
});
