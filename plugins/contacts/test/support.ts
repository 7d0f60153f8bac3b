// Test plumbing for the contacts module: sibling bundles, logging in and calling actions.
import type { DefinedBundle } from '@keel/plugin-sdk';
import { loadBundle } from '@keel/plugin-sdk/testing';

/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
export { loadBundle };

/** The bundles a logged-in contacts request needs, besides the contact storages. */
export async function sessionBundles(): Promise<Record<string, DefinedBundle<any, any>>> {
  return {
    'storage-sql': await loadBundle('storage-sql'),
    auth: await loadBundle('auth'),
    'auth-database': await loadBundle('auth-database'),
    sessiond: await loadBundle('sessiond'),
  };
}

/** A logged-in client: the session id plus the secret cookie, as a browser holds them. */
export interface Client {
  url: string;
  session: string;
  cookie: string;
  userId: number;
  contextId: number;
}

export async function login(url: string, name: string, password: string): Promise<Client> {
  const response = await fetch(`${url}/appsuite/api/login?action=login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name, password }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`login of ${name} failed: ${response.status} ${JSON.stringify(body)}`);
  const secret = response.headers.getSetCookie().map((line) => line.split(';')[0]!).find((pair) => pair.startsWith('open-xchange-secret-'));
  if (!secret) throw new Error('no secret cookie in the login answer');
  return { url, session: String(body['session']), cookie: secret, userId: Number(body['user_id']), contextId: Number(body['context_id']) };
}

export interface Answer<T = unknown> {
  status: number;
  data: T;
  body: Record<string, unknown>;
}

/** Calls `/appsuite/api/<module>?action=…` as the client; a JSON body makes it a PUT. */
export async function call<T = unknown>(client: Client, module: string, action: string, params: Record<string, string | number> = {}, body?: unknown): Promise<Answer<T>> {
  const query = new URLSearchParams({ action, session: client.session, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
  const response = await fetch(`${client.url}/appsuite/api/${module}?${query}`, {
    method: body === undefined ? 'GET' : 'PUT',
    headers: { cookie: client.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, data: json['data'] as T, body: json };
}

/** Like call, but fails the test on an error envelope. */
export async function ok<T = unknown>(client: Client, module: string, action: string, params: Record<string, string | number> = {}, body?: unknown): Promise<T> {
  const answer = await call<T>(client, module, action, params, body);
  if (answer.status !== 200 || answer.body['error'] !== undefined) {
    throw new Error(`${module}?action=${action} answered ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.data;
}

export interface FolderJson {
  id: string;
  title: string;
  type: 'private' | 'public';
  read_only: boolean;
  standard_folder: boolean;
}
