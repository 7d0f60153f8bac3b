import { isKeelError } from '@keel/plugin-sdk';

/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
import { loadBundle } from '@keel/plugin-sdk/testing';
export { loadBundle };

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
