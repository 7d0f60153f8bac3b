import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asValue, createContainer } from 'awilix';
import Fastify from 'fastify';
import { createKernel, createLogger } from '@keel/core';
import { median, result, type BenchResult } from '../measure.js';

const SDK_DIR = resolve(fileURLToPath(import.meta.url), '../../../../../plugin-sdk');

/** N bundle packages on disk; bundle i provides s<i> and requires s<floor(i/2)>, a realistic tree of dependencies. */
async function makeInstallation(count: number): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), `keel-bench-${count}-`));
  await mkdir(join(root, 'node_modules', '@keel'), { recursive: true });
  await symlink(SDK_DIR, join(root, 'node_modules', '@keel', 'plugin-sdk'), 'dir');
  await mkdir(join(root, 'config'));
  for (let i = 0; i < count; i++) {
    const dir = join(root, 'plugins', `b${i}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({
      name: `@bench/b${i}`, version: '1.0.0', type: 'module',
      keel: { bundle: `b${i}`, activator: './index.js' }, peerDependencies: { '@keel/plugin-sdk': '^1.0.0' },
    }));
    const requires = i === 0 ? '' : `requires: { parent: createServiceRef({ id: 'bench.s${Math.floor(i / 2)}', version: '1.0.0' }) },`;
    await writeFile(join(dir, 'index.js'), `import { defineBundle, createServiceRef } from '@keel/plugin-sdk';
const mine = createServiceRef({ id: 'bench.s${i}', version: '1.0.0' });
export default defineBundle({ provides: [mine], ${requires} start({ register }) { register(mine, { id: ${i} }); } });
`);
  }
  return root;
}

async function bootKeel(count: number): Promise<number> {
  const root = await makeInstallation(count);
  try {
    const start = performance.now();
    const kernel = await createKernel({ root, http: { host: '127.0.0.1', port: 0 }, logger: createLogger({ level: 'silent' }), env: { PATH: process.env.PATH } });
    await kernel.start();
    const elapsed = performance.now() - start;
    const active = kernel.control.bundles().filter((b) => b.state === 'ACTIVE').length;
    await kernel.stop();
    if (active !== count) throw new Error(`only ${active} of ${count} synthetic bundles started`);
    return elapsed;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function bootBaseline(count: number): Promise<number> {
  const start = performance.now();
  const container = createContainer();
  for (let i = 0; i < count; i++) container.register(`s${i}`, asValue({ id: i }));
  const app = Fastify({ logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const elapsed = performance.now() - start;
  await app.close();
  return elapsed;
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const perBundle: Array<[number, number]> = [];
  for (const count of [10, 100, 1000]) {
    const runs = count >= 1000 ? 3 : 5;
    const keel: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < runs; i++) {
      base.push(await bootBaseline(count));
      keel.push(await bootKeel(count));
    }
    const k = median(keel);
    perBundle.push([count, k]);
    results.push(result('kernel', `boot to listening, ${count} bundles`, k, 'ms', 'lower', { name: `fastify listen + ${count} awilix values`, value: median(base) },
      `${(k / count).toFixed(2)} ms/bundle`));
  }
  // growth: time per added bundle between sizes; close to constant means close to linear
  const [[n1, t1], [n2, t2], [n3, t3]] = perBundle as [[number, number], [number, number], [number, number]];
  results.push(result('kernel', 'boot growth 100→1000 vs 10→100 (ms per added bundle)', (t3 - t2) / (n3 - n2), 'ms', 'lower', { name: '10→100', value: (t2 - t1) / (n2 - n1) }, 'ratio ≈ 1 means linear'));
  return results;
}
