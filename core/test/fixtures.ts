import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKernel, type Kernel, type KernelOptions } from '../src/index.js';
import { createLogger } from '../src/logging/index.js';

const SDK_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../plugin-sdk');

export interface BundleFixture {
  /** Directory name under plugins/ (defaults to the bundle name). */
  dir?: string;
  name: string;
  version?: string;
  /** Extra or replacing keys of the `keel` block. */
  keel?: Record<string, unknown>;
  sdkRange?: string | null;
  /** Body of the activator module; `defineBundle` and `createServiceRef` are in scope. */
  activator?: string;
  /** Raw package.json text instead of the generated one. */
  rawPackageJson?: string;
}

/** An installation root in a temp dir: plugins/, config/, data/ and node_modules/@keel/plugin-sdk linked to the real SDK. */
export async function createInstallation(): Promise<{ root: string; addBundle(fixture: BundleFixture, parent?: string): Promise<string>; writeConfig(name: string, text: string): Promise<void>; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'keel-kernel-'));
  await mkdir(join(root, 'plugins'), { recursive: true });
  await mkdir(join(root, 'config'), { recursive: true });
  await mkdir(join(root, 'node_modules', '@keel'), { recursive: true });
  await symlink(SDK_DIR, join(root, 'node_modules', '@keel', 'plugin-sdk'), 'dir');
  return {
    root,
    async addBundle(fixture, parent = join(root, 'plugins')) {
      const dir = join(parent, fixture.dir ?? fixture.name);
      await mkdir(dir, { recursive: true });
      const pkg = {
        name: `@fixture/${fixture.name}`,
        version: fixture.version ?? '1.0.0',
        type: 'module',
        keel: { bundle: fixture.name, activator: './index.js', ...fixture.keel },
        ...(fixture.sdkRange === null ? {} : { peerDependencies: { '@keel/plugin-sdk': fixture.sdkRange ?? '^1.0.0' } }),
      };
      await writeFile(join(dir, 'package.json'), fixture.rawPackageJson ?? JSON.stringify(pkg, null, 2));
      if (fixture.activator !== undefined) {
        await writeFile(join(dir, 'index.js'), `import { defineBundle, createServiceRef } from '@keel/plugin-sdk';\n${fixture.activator}\n`);
      }
      return dir;
    },
    async writeConfig(name, text) {
      await writeFile(join(root, 'config', name), text);
    },
    async remove() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

export async function bootKernel(root: string, options: Partial<KernelOptions> = {}): Promise<Kernel> {
  const kernel = await createKernel({
    root,
    http: { host: '127.0.0.1', port: 0 },
    logger: createLogger({ level: process.env.KEEL_LOG_LEVEL ?? 'silent' }),
    env: { PATH: process.env.PATH },
    startTimeoutMs: 1000,
    stopTimeoutMs: 1000,
    ...options,
  });
  await kernel.start();
  return kernel;
}

/** A ref declaration line for activator sources. */
export const ref = (name: string, id: string, version = '1.0.0', multiple = false) =>
  `const ${name} = createServiceRef({ id: '${id}', version: '${version}'${multiple ? ', multiple: true' : ''} });`;
