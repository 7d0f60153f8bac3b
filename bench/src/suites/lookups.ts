import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServiceRef } from '@keel/plugin-sdk';
import { createConfigCascade, createRegistry, loadServerConfig } from '@keel/core';
import { opsPerSecond, result, type BenchResult } from '../measure.js';

/** Registry get and cascade lookups per second, next to a plain Map lookup of the same keys. */
export async function run(): Promise<BenchResult[]> {
  const refs = Array.from({ length: 100 }, (_, i) => createServiceRef<{ id: number }>({ id: `bench.service${i}`, version: '1.0.0' }));
  const registry = createRegistry();
  const map = new Map<string, { id: number }>();
  refs.forEach((ref, i) => {
    registry.register('bench', ref, { id: i });
    registry.register('bench-low', ref, { id: -i }, { ranking: -1 });
    map.set(ref.id, { id: i });
  });
  const registryRate = opsPerSecond((i) => registry.get(refs[i % 100]!));
  const mapRate = opsPerSecond((i) => map.get(refs[i % 100]!.id));

  const dir = await mkdtemp(join(tmpdir(), 'keel-bench-cascade-'));
  try {
    const names = Array.from({ length: 100 }, (_, i) => `com.openexchange.bench.property${i}`);
    await writeFile(join(dir, 'bench.properties'), names.map((n, i) => `${n}=${i % 2 === 0}`).join('\n'));
    const config = await loadServerConfig({ directory: dir, dataDirectory: dir, env: {} });
    const user = new Map(names.slice(0, 10).map((n) => [n, 'true']));
    const cascade = createConfigCascade({
      config,
      providers: () => [{
        loadContext: async () => ({ properties: new Map([[names[20]!, 'false']]), tags: ['gold'] }),
        loadUser: async () => user,
      }],
    });
    const view = await cascade.view({ contextId: 1, userId: 3 });
    const plain = new Map(names.map((n, i) => [n, String(i % 2 === 0)]));
    const cascadeRate = opsPerSecond((i) => view.get(names[i % 100]!));
    const plainRate = opsPerSecond((i) => plain.get(names[i % 100]!));
    const switchRate = opsPerSecond((i) => view.switchFor(names[i % 100]!, false, 'open-xchange-appsuite', 'ox:mail:new'));
    return [
      result('kernel', 'registry get (100 refs, 2 providers each)', registryRate, 'ops/s', 'higher', { name: 'Map.get', value: mapRate }),
      result('config', 'cascade view.get (user→context→sets→server)', cascadeRate, 'ops/s', 'higher', { name: 'Map.get', value: plainRate }),
      result('config', 'cascade switchFor with client+topic suffixes', switchRate, 'ops/s', 'higher', { name: 'Map.get', value: plainRate }),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
