import { createHash } from 'node:crypto';

export const SECRET_COOKIE_PREFIX = 'open-xchange-secret-';

/**
 * The suffix of the secret cookie: the first 32 hex digits of SHA-256 over `client`, a line feed and
 * the User-Agent. Stable for one client on one browser, so a second login from it replaces the
 * cookie, while different clients (App Suite, a sync client) in one browser keep theirs apart.
 */
export function cookieHash(client: string, userAgent: string | undefined): string {
  return createHash('sha256').update(`${client}\n${userAgent ?? ''}`).digest('hex').slice(0, 32);
}

export function secretCookieName(hash: string): string {
  return `${SECRET_COOKIE_PREFIX}${hash}`;
}
