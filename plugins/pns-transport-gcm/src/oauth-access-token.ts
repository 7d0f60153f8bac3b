import { sign } from 'node:crypto';
import { gcmError } from './errors.js';
import { briefErrorMessage, type HttpsExchange } from '@keel/plugin-sdk';
import type { ServiceAccount } from './gcm-options.js';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

export interface AccessToken {
  value: string;
  generation: number;
}

export interface AccessTokenSource {
  /** A cached token while it is valid, else a new one (concurrent callers share one request). Throws PNS-GCM-0006. */
  get(): Promise<AccessToken>;
  /** FCM answered 401 for this token: the next `get()` fetches a new one, unless that already happened. */
  invalidate(generation: number): void;
}

/**
 * Google's service-account flow (RFC 7523): a JWT `{iss: client_email, scope, aud: token URL, iat,
 * exp}` signed RS256 with the account's key is exchanged at the token URL for an access token,
 * which is cached until a minute before `expires_in` runs out.
 */
export function createAccessTokenSource(options: {
  client: string;
  account: ServiceAccount;
  tokenUrl: string;
  http: HttpsExchange;
  now?: () => number;
}): AccessTokenSource {
  const now = options.now ?? Date.now;
  let cached: (AccessToken & { expiresAt: number }) | undefined;
  let pending: Promise<AccessToken> | undefined;
  let generation = 0;

  function assertion(): string {
    const iat = Math.floor(now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', ...(options.account.keyId ? { kid: options.account.keyId } : {}) };
    const claims = { iss: options.account.clientEmail, scope: FCM_SCOPE, aud: options.tokenUrl, iat, exp: iat + 3600 };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    return `${input}.${sign('sha256', Buffer.from(input), options.account.key).toString('base64url')}`;
  }

  async function fetchToken(): Promise<AccessToken> {
    const fail = (detail: string, cause?: unknown) => gcmError('PNS-GCM-0006', { client: options.client, url: options.tokenUrl, detail }, cause);
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: assertion() }).toString();
    let answer;
    try {
      answer = await options.http.post(options.tokenUrl, { 'content-type': 'application/x-www-form-urlencoded' }, form);
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
      // `error`/`error_description` name the problem (invalid_grant …) and never carry the token.
      const reason = [body.error, body.error_description].filter((part) => typeof part === 'string').join(': ');
      throw fail(`HTTP ${answer.status}${reason ? ` ${reason}` : ''}`);
    }
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : 3_600_000;
    // Renew a minute early (or half-way for very short lifetimes) so no push carries a token that expires in flight.
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

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
