// The pool figures and the `database` readiness check, on SQLite and MariaDB, through the real kernel.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { databaseRef, healthCheckRef } from '@keel/plugin-sdk';
import { readMetrics, startTestKernel } from '@keel/plugin-sdk/testing';
import storageSql from '../src/index.js';
import { dialectCases } from './dialects.js';

for (const dialect of await dialectCases()) {
  describe(`storage-sql metrics and readiness on ${dialect.name}`, { skip: dialect.skip }, () => {
    it('reports used and idle pool connections and the limit; /health/ready runs SELECT 1', async () => {
      const target = await dialect.create();
      const kernel = await startTestKernel({
        bundles: { 'storage-sql': storageSql },
        properties: { 'keel.database.url': target.url, 'keel.database.maxConnections': '3' },
        startTimeoutMs: 20_000,
      });
      try {
        assert.equal(kernel.bundle('storage-sql')?.state, 'ACTIVE', kernel.bundle('storage-sql')?.error?.message);
        const database = kernel.get(databaseRef)!;
        const pool = async () => {
          const metrics = await readMetrics(kernel, 'storage-sql');
          return { used: metrics.value('keel_db_pool_connections', { state: 'used' }), idle: metrics.value('keel_db_pool_connections', { state: 'idle' }), limit: metrics.value('keel_db_pool_limit') };
        };
        const limit = dialect.name === 'sqlite' ? 1 : 3;
        const resting = await pool();
        assert.equal(resting.used, 0);
        assert.ok(resting.idle! >= 1 && resting.idle! <= limit, `idle ${resting.idle} within 1..${limit}`);
        assert.equal(resting.limit, limit);

        // A transaction holds its connection until it ends.
        const inside = await database.transaction(async () => pool());
        assert.equal(inside.used, 1);
        assert.equal(inside.used! + inside.idle!, database.poolStats().size);
        assert.equal((await pool()).used, 0, 'released after the transaction');

        const checks = kernel.getAll(healthCheckRef).filter((check) => check.name === 'database');
        assert.equal(checks.length, 1);
        assert.equal((await checks[0]!.check()).healthy, true);
        const response = await fetch(`${kernel.url}/health/ready`);
        const ready = (await response.json()) as { status: string; checks: Array<{ name: string; healthy: boolean; detail?: string }> };
        assert.equal(response.status, 200);
        const entry = ready.checks.find((check) => check.name === 'database');
        assert.equal(entry?.healthy, true);
        assert.ok(!String(entry?.detail).includes('password'), 'the detail is the masked URL');
      } finally {
        await kernel.stop();
        await target.drop();
      }
    });
  });
}
