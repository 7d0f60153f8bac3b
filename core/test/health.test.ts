import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootKernel, createInstallation } from './fixtures.js';

test('/health/live answers; /health/ready follows bundle states and health checks', async () => {
  const installation = await createInstallation();
  const healthCheck = `import { healthCheckRef } from '@keel/plugin-sdk';
    export default defineBundle({ provides: [healthCheckRef], start({ register, config }) {
      register(healthCheckRef, { name: 'db', check: async () => ({ healthy: globalThis.dbHealthy === true, detail: 'ping' }) });
    } });`;
  await installation.addBundle({ name: 'db-check', activator: healthCheck });
  await installation.addBundle({ name: 'broken', activator: 'export default defineBundle({ start() { throw new Error("no"); } });' });
  const kernel = await bootKernel(installation.root);
  const base = `http://${kernel.address()!.host}:${kernel.address()!.port}`;
  try {
    (globalThis as { dbHealthy?: boolean }).dbHealthy = true;
    assert.deepEqual(await (await fetch(`${base}/health/live`)).json(), { status: 'ok' });
    let ready = await fetch(`${base}/health/ready`);
    assert.equal(ready.status, 503);
    assert.deepEqual(((await ready.json()) as { inactiveBundles: string[] }).inactiveBundles, ['broken']);

    await installation.writeConfig('packages.yml', 'packages:\n  status:\n    broken: disabled\n');
    await kernel.control.reload();
    ready = await fetch(`${base}/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(((await ready.json()) as { checks: unknown[] }).checks, [{ name: 'db', healthy: true, detail: 'ping' }]);

    (globalThis as { dbHealthy?: boolean }).dbHealthy = false;
    ready = await fetch(`${base}/health/ready`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { status: string }).status, 'not-ready');
  } finally {
    await kernel.stop();
    await installation.remove();
  }
});
