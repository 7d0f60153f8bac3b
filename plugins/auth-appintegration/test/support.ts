import { CliError, isKeelError, type AdminClient } from '@keel/plugin-sdk';
import { loadBundle } from '@keel/plugin-sdk/testing';

/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
export { loadBundle };

export function basic(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
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

export const MASTER_PASSWORD = 'master-secret';

/** The admin client the `keel` CLI hands to commands (same requests, same CliError mapping). */
export function adminClient(baseUrl: string, password = MASTER_PASSWORD): AdminClient {
  return {
    baseUrl,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${baseUrl}/admin/v1${path}`, {
        method,
        headers: { authorization: basic('oxadminmaster', password), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const parsed = (await response.json()) as T & { error?: string; code?: string };
      if (!response.ok) throw new CliError(`${parsed.error} (${parsed.code})`, response.status === 401 ? 4 : 1);
      return parsed;
    },
    fetch: (path, init) => fetch(`${baseUrl}${path}`, init),
  };
}
