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

export function basic(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}

export async function call(url: string, method: string, path: string, authorization?: string): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, { method, headers: authorization !== undefined ? { authorization } : {} });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}
