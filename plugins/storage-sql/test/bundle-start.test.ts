// An unreachable database at start: the bundle stays RESOLVED with a clear error and starts later.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { databaseRef } from '@keel/plugin-sdk';
import { startTestKernel } from '@keel/plugin-sdk/testing';
import storageSql from '../src/index.js';
import { MARIADB, dialectCases, rootConnection } from './dialects.js';

const mariadb = (await dialectCases()).find((entry) => entry.name === 'mariadb')!;

describe('storage-sql start', () => {
  it('uses sqlite:<data dir>/keel.db by default', async () => {
    const kernel = await startTestKernel({ bundles: { 'storage-sql': storageSql }, http: false, startTimeoutMs: 20_000 });
    try {
      const database = kernel.get(databaseRef);
      assert.equal(database?.dialect, 'sqlite');
      assert.equal(database?.displayUrl, `sqlite:${join(kernel.dataDir, 'keel.db')}`);
    } finally {
      await kernel.stop();
    }
  });

  it('stays RESOLVED while SQLite cannot open its file, and starts once it can', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keel-storage-start-'));
    const blocker = join(dir, 'data');
    await writeFile(blocker, 'a file where the directory should be');
    const kernel = await startTestKernel({
      bundles: { 'storage-sql': storageSql }, properties: { 'keel.database.url': `sqlite:${join(blocker, 'keel.db')}` }, http: false, startTimeoutMs: 20_000,
    });
    try {
      const failed = kernel.bundle('storage-sql');
      assert.equal(failed?.state, 'RESOLVED');
      assert.match(failed?.error?.message ?? '', /Database sqlite:.*keel\.db is not reachable/);
      assert.equal(kernel.get(databaseRef), undefined);
      await rm(blocker);
      const started = await kernel.kernel.startBundle('storage-sql');
      assert.equal(started.state, 'ACTIVE');
      assert.equal(kernel.get(databaseRef)?.dialect, 'sqlite');
    } finally {
      await kernel.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stays RESOLVED while MariaDB lacks the database, naming the URL with the password masked', { skip: mariadb.skip }, async () => {
    const database = `keel_test_${randomBytes(6).toString('hex')}`;
    const user = `keel_${randomBytes(4).toString('hex')}`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const admin = await rootConnection();
    try {
      for (const host of ['%', 'localhost']) {
        await admin.query(`CREATE USER '${user}'@'${host}' IDENTIFIED BY '${password}'`);
        await admin.query(`GRANT ALL ON \`${database}\`.* TO '${user}'@'${host}'`);
      }
      const url = `mysql://${user}:${password}@${MARIADB.host}:${MARIADB.port}/${database}`;
      const kernel = await startTestKernel({ bundles: { 'storage-sql': storageSql }, properties: { 'keel.database.url': url }, http: false, startTimeoutMs: 20_000 });
      try {
        const failed = kernel.bundle('storage-sql');
        assert.equal(failed?.state, 'RESOLVED');
        const message = failed?.error?.message ?? '';
        assert.ok(message.includes(`mysql://${user}:****@${MARIADB.host}:${MARIADB.port}/${database} is not reachable`), message);
        assert.ok(!message.includes(password), message);
        await admin.query(`CREATE DATABASE \`${database}\``);
        const started = await kernel.kernel.startBundle('storage-sql');
        assert.equal(started.state, 'ACTIVE');
        assert.equal(kernel.get(databaseRef)?.displayUrl, `mysql://${user}:****@${MARIADB.host}:${MARIADB.port}/${database}`);
      } finally {
        await kernel.stop();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      for (const host of ['%', 'localhost']) await admin.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
      await admin.end();
    }
  });
});
