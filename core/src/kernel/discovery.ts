import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isKeelError, type KeelError } from '@keel/plugin-sdk';
import { keelError } from '../errors.js';
import { readBundleManifest, type BundleDescriptor } from './manifest.js';

export interface DiscoveryResult {
  bundles: BundleDescriptor[];
  /** Packages that look like bundles but are broken, with the reason. */
  broken: Array<{ directory: string; name?: string; error: KeelError }>;
}

/**
 * Finds bundle packages: `<root>/plugins/*`, installed packages in `<root>/node_modules` (scoped
 * too) that carry a `keel` block, and extra directories (each either a bundle itself or a folder of
 * bundles). The same package reached twice (workspace symlinks) counts once; the same bundle name
 * from two packages is an error for the later one, in the order above.
 */
export async function discoverBundles(options: { root: string; extraDirs?: readonly string[] }): Promise<DiscoveryResult> {
  const candidates: string[] = [];
  candidates.push(...(await childDirs(join(options.root, 'plugins'))));
  for (const dir of await childDirs(join(options.root, 'node_modules'))) {
    const base = dir.slice(dir.lastIndexOf('/') + 1);
    if (base.startsWith('.')) continue;
    if (base.startsWith('@')) candidates.push(...(await childDirs(dir)));
    else candidates.push(dir);
  }
  for (const extra of options.extraDirs ?? []) {
    if (await exists(join(extra, 'package.json'))) candidates.push(extra);
    else candidates.push(...(await childDirs(extra)));
  }

  const seen = new Set<string>();
  const byName = new Map<string, BundleDescriptor>();
  const result: DiscoveryResult = { bundles: [], broken: [] };
  for (const candidate of candidates) {
    const real = await realpath(candidate).catch(() => candidate);
    if (seen.has(real)) continue;
    seen.add(real);
    if (!(await exists(join(real, 'package.json')))) continue;
    try {
      const descriptor = await readBundleManifest(real);
      if (!descriptor) continue;
      const first = byName.get(descriptor.name);
      if (first) {
        result.broken.push({
          directory: real,
          name: descriptor.name,
          error: keelError('KEEL-BUNDLE-DUPLICATE', { name: descriptor.name, first: first.packageJsonPath, second: descriptor.packageJsonPath }),
        });
        continue;
      }
      byName.set(descriptor.name, descriptor);
      result.bundles.push(descriptor);
    } catch (error) {
      if (!isKeelError(error)) throw error;
      result.broken.push({ directory: real, error });
    }
  }
  result.bundles.sort((a, b) => a.name.localeCompare(b.name));
  return result;
}

async function childDirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => join(dir, e.name)).sort();
  } catch {
    return [];
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
