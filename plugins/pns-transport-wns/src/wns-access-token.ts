import { wnsError } from './errors.js';
import { briefErrorMessage, type HttpsExchange } from '@keel/plugin-sdk';

export interface AccessToken {
  value: string;
  generation: number;
}

export interface AccessTokenSource {
  /** The cached token while valid, else a new one (concurrent callers share one request). Throws PNS-WNS-0002. */
  get(): Promise<AccessToken>;
  /** WNS answered 401 for this token: the next `get()` fetches a new one, unless that already happened. */
  invalidate(generation: number): void;
}

/**
 * WNS authentication: OAuth2 client credentials (`grant_type=client_credentials`, `client_id` =
 * package SID, `client_secret`, `scope=notify.windows.com`) at the token endpoint; the access token
 * is cached until a minute before `expires_in` (24 h at Microsoft) runs out.
 */
export function createAccessTokenSource(options: { client: string; sid: string; secret: string; tokenUrl: () => string; http: HttpsExchange; now?: () => number }): AccessTokenSource {
  const now = options.now ?? Date.now;
  let cached: (AccessToken & { expiresAt: number }) | undefined;
  let pending: Promise<AccessToken> | undefined;
  let generation = 0;

  async function fetchToken(): Promise<AccessToken> {
    const url = options.tokenUrl();
    const fail = (detail: string, cause?: unknown) => wnsError('PNS-WNS-0002', { client: options.client, url, detail }, cause);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: options.sid, client_secret: options.secret, scope: 'notify.windows.com' }).toString();
    let answer;
    try {
      answer = await options.http.post(url, { 'content-type': 'application/x-www-form-urlencoded' }, form);
    } catch (error) {
      throw fail(briefErrorMessage(error), error);
    }
    let body: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
    try {
      body = JSON.parse(answer.body) as typeof body;
    } catch {
      // Reported below with the status.
    }
    if (answer.status !== 200 || typeof body.access_token !== 'string') {
      const reason = [body.error, body.error_description].filter((part) => typeof part === 'string').join(': ');
      throw fail(`HTTP ${answer.status}${reason ? ` ${reason}` : ''}`);
    }
    const expiresIn = Number(body.expires_in);
    const lifetime = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 3_600_000;
    const margin = Math.min(60_000, lifetime / 2);
    cached = { value: body.access_token, generation: ++generation, expiresAt: now() + lifetime - margin };
    return { value: cached.value, generation: cached.generation };
  }

  return {
    async get() {
      if (cached !== undefined && now() < cached.expiresAt) return { value: cached.value, generation: cached.generation };
      pending ??= fetchToken().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate(rejected) {
      if (cached?.generation === rejected) cached = undefined;
    },
  };
}
