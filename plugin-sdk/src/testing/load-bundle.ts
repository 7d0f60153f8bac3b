import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDefinedBundle, type DefinedBundle } from '../bundle.js';

/**
 * Loads a built bundle the way the kernel does: reads its package.json and imports the activator
 * named in `keel.activator`. `bundle` is a directory (path or file URL), or a bundle name looked up
 * as `plugins/<name>` in the working directory and its parents — handy for tests that combine a
 * bundle with the real bundles it depends on.
 */
export async function loadBundle(bundle: string | URL): Promise<DefinedBundle<any, any>> {
  const directory = await locate(bundle);
  const packageJson = join(directory, 'package.json');
  const pkg = JSON.parse(await readFile(packageJson, 'utf8')) as { keel?: { activator?: string } };
  if (!pkg.keel?.activator) throw new Error(`${packageJson} has no keel.activator`);
  const module = (await import(pathToFileURL(resolve(directory, pkg.keel.activator)).href)) as { default?: unknown };
  if (!isDefinedBundle(module.default)) throw new Error(`${pkg.keel.activator} in ${directory} does not default-export defineBundle(...)`);
  return module.default;
}

/** Several bundles by name, as the `bundles` record `startTestKernel` takes. */
export async function loadBundles(...names: string[]): Promise<Record<string, DefinedBundle<any, any>>> {
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await loadBundle(name)] as const)));
}

async function locate(bundle: string | URL): Promise<string> {
  if (bundle instanceof URL) return fileURLToPath(bundle);
  if (isAbsolute(bundle) || bundle.startsWith('.')) return resolve(bundle);
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const candidate = join(dir, 'plugins', bundle);
    if (await stat(join(candidate, 'package.json')).then(() => true, () => false)) return candidate;
    if (dirname(dir) === dir) throw new Error(`No bundle directory plugins/${bundle} above ${process.cwd()}`);
  }
}
