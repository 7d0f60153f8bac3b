import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestKernel, TestKernelOptions } from '@keel/plugin-sdk/testing';
import { createLogger } from '../logging/index.js';
import { createKernel } from '../kernel/kernel.js';

/** The real kernel for bundle tests: temp config and data directories, inline bundles, a free port. */
export async function startTestKernel(options: TestKernelOptions): Promise<TestKernel> {
  const configDir = await mkdtemp(join(tmpdir(), 'keel-test-config-'));
  const dataDir = await mkdtemp(join(tmpdir(), 'keel-test-data-'));
  const lines = Object.entries(options.properties ?? {}).map(([key, value]) => `${escapeKey(key)}=${escapeValue(value)}`);
  await writeFile(join(configDir, 'test.properties'), `${lines.join('\n')}\n`);
  for (const [name, content] of Object.entries(options.files ?? {})) await writeFile(join(configDir, name), content);

  const kernel = await createKernel({
    root: configDir,
    configDir,
    dataDir,
    discover: false,
    inlineBundles: Object.entries(options.bundles).map(([name, definition]) => ({ name, definition })),
    services: options.services ?? [],
    http: options.http === false ? false : { host: '127.0.0.1', port: 0 },
    logger: createLogger({ level: process.env.KEEL_LOG_LEVEL ?? 'silent' }),
    env: { ...process.env, KEEL_BUNDLE_DIRS: '' },
    startTimeoutMs: options.startTimeoutMs ?? 5000,
  });
  await kernel.start();
  const address = kernel.address();
  return {
    url: address ? `http://${address.host}:${address.port}` : '',
    kernel: kernel.control,
    get: (ref) => kernel.registry.get(ref),
    getAll: (ref) => kernel.registry.getAll(ref),
    bundle: (name) => kernel.control.bundle(name),
    configDir,
    dataDir,
    async stop() {
      await kernel.stop();
      await rm(configDir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function escapeKey(key: string): string {
  return key.replace(/[\\=: #!]/g, (c) => `\\${c}`);
}

function escapeValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/^\s/, (c) => `\\${c}`);
}
