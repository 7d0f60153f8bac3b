import type { DefinedBundle } from '@keel/plugin-sdk';
import { isKeelError } from '@keel/plugin-sdk';

/** A sibling bundle's compiled activator (`plugins/<name>/dist/src/index.js`); built first through tsconfig references. */
export async function loadBundle(name: string): Promise<DefinedBundle<any, any>> {
  const url = new URL(`../../../${name}/dist/src/index.js`, import.meta.url);
  const module = (await import(url.href)) as { default: DefinedBundle<any, any> };
  return module.default;
}

/** The KeelError code a promise rejects with, or 'ok'. */
export async function outcomeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (isKeelError(error)) return error.code;
    throw error;
  }
}
