import type { DefinedBundle } from '@keel/plugin-sdk';

/** Loads a bundle's compiled activator from plugins/<name>, the way the kernel would find it. */
export async function loadBundle(name: string): Promise<DefinedBundle<any, any>> {
  const module = (await import(new URL(`../../../plugins/${name}/dist/src/index.js`, import.meta.url).href)) as { default: DefinedBundle<any, any> };
  return module.default;
}

export async function loadBundles(...names: string[]): Promise<Record<string, DefinedBundle<any, any>>> {
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await loadBundle(name)] as const)));
}
