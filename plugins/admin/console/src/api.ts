import type { Credentials } from './session.js';

/** An answer other than 2xx, with the stable code of the admin API (`ADM-0001`, `KEEL-BUNDLE-INACTIVE` …). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** `ADM-0001: Master admin authentication failed: …`, as operators find it in the README. */
  describe(): string {
    return this.code !== undefined ? `${this.code}: ${this.message}` : this.message;
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
}

/** `/admin/v1/`, relative to the page, so the console also works behind a proxy that adds a prefix. */
const API_BASE = new URL('../v1/', document.baseURI);

function basic(credentials: Credentials): string {
  const bytes = new TextEncoder().encode(`${credentials.login}:${credentials.password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/**
 * Calls the admin API with HTTP Basic. `X-Requested-With` tells the server to leave out the
 * `WWW-Authenticate` challenge on 401, so the browser does not open its own login dialog.
 * `onUnauthorized` runs for 401 and 429 (the credentials are wrong or the address is locked out).
 */
export function createApi(credentials: Credentials, onUnauthorized: (error: ApiError) => void): Api {
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: basic(credentials),
      'x-requested-with': 'XMLHttpRequest',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(new URL(path.replace(/^\//, ''), API_BASE), {
      method,
      headers,
      credentials: 'omit',
      cache: 'no-store',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.ok) return parsed as T;
    const error = toApiError(response, parsed);
    if (response.status === 401 || response.status === 429) onUnauthorized(error);
    throw error;
  }
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
  };
}

function toApiError(response: Response, parsed: unknown): ApiError {
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const code = typeof fields['code'] === 'string' ? fields['code'] : undefined;
  const text = typeof fields['error'] === 'string' ? fields['error'] : `${response.status} ${response.statusText}`;
  const retryAfter = Number(response.headers.get('retry-after'));
  return new ApiError(response.status, code, text, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}
