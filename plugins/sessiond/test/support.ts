
/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
import { loadBundle } from '@keel/plugin-sdk/testing';
export { loadBundle };

/** Polls until `probe` returns a value (bounded; no timing is asserted, only the outcome). */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, limitMs = 15_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface LoginAnswer {
  status: number;
  body: Record<string, unknown>;
  cookies: Map<string, { value: string; attributes: string }>;
}

export function parseSetCookies(response: Response): Map<string, { value: string; attributes: string }> {
  const cookies = new Map<string, { value: string; attributes: string }>();
  for (const line of response.headers.getSetCookie()) {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    cookies.set(pair.slice(0, eq).trim(), { value: decodeURIComponent(pair.slice(eq + 1).trim()), attributes: attributes.join(';').trim() });
  }
  return cookies;
}

export async function login(url: string, name: string, password: string, extra: { client?: string; userAgent?: string } = {}): Promise<LoginAnswer> {
  const form = new URLSearchParams({ name, password });
  if (extra.client !== undefined) form.set('client', extra.client);
  const response = await fetch(`${url}/appsuite/api/login?action=login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': extra.userAgent ?? 'keel-test/1.0' },
    body: form,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, cookies: parseSetCookies(response) };
}

/** A logged-in client: the session id plus the secret cookie, as a browser would hold them. */
export interface Client {
  session: string;
  cookie: string;
  userId: number;
  contextId: number;
}

export async function loginClient(url: string, name: string, password: string, extra: { client?: string; userAgent?: string } = {}): Promise<Client> {
  const answer = await login(url, name, password, extra);
  if (answer.status !== 200) throw new Error(`login of ${name} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  const [cookieName, cookie] = [...answer.cookies].find(([cookieName]) => cookieName.startsWith('open-xchange-secret-'))!;
  return {
    session: String(answer.body['session']),
    cookie: `${cookieName}=${cookie.value}`,
    userId: Number(answer.body['user_id']),
    contextId: Number(answer.body['context_id']),
  };
}

export async function whoami(url: string, session: string, cookie?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/appsuite/api/session?action=whoami&session=${encodeURIComponent(session)}`, {
    headers: { 'user-agent': 'keel-test/1.0', ...(cookie !== undefined ? { cookie } : {}) },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function logout(url: string, client: Client): Promise<{ status: number; body: Record<string, unknown>; cookies: Map<string, { value: string; attributes: string }> }> {
  const response = await fetch(`${url}/appsuite/api/login?action=logout&session=${encodeURIComponent(client.session)}`, {
    method: 'POST',
    headers: { cookie: client.cookie, 'user-agent': 'keel-test/1.0' },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, cookies: parseSetCookies(response) };
}
