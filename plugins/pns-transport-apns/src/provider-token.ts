import { sign, type KeyObject } from 'node:crypto';

/** A signed provider token and the generation it belongs to (to refresh it once per rejection). */
export interface IssuedToken {
  jwt: string;
  generation: number;
}

export interface ProviderToken {
  current(): IssuedToken;
  /** APNs said the token is expired or invalid: the next `current()` signs a new one, unless that already happened. */
  invalidate(generation: number): void;
}

/**
 * APNs token authentication: an ES256 JWT `{alg, kid}.{iss: teamId, iat: seconds}` signed with the
 * .p8 key. Apple rejects tokens older than an hour and answers TooManyProviderTokenUpdates when they
 * change more often than every 20 minutes, so one token is shared by every push and renewed after
 * `maxAgeMillis` (50 minutes by default).
 */
export function createProviderToken(options: { key: KeyObject; keyId: string; teamId: string; maxAgeMillis?: number; now?: () => number }): ProviderToken {
  const maxAge = options.maxAgeMillis ?? 50 * 60_000;
  const now = options.now ?? Date.now;
  let issued: (IssuedToken & { at: number }) | undefined;
  let generation = 0;

  function signToken(at: number): string {
    const header = base64url(JSON.stringify({ alg: 'ES256', kid: options.keyId }));
    const claims = base64url(JSON.stringify({ iss: options.teamId, iat: Math.floor(at / 1000) }));
    const input = `${header}.${claims}`;
    // JWS wants the raw r||s signature, not the DER sequence node emits by default.
    const signature = sign('sha256', Buffer.from(input), { key: options.key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  }

  return {
    current() {
      const at = now();
      if (issued === undefined || at - issued.at >= maxAge) issued = { jwt: signToken(at), generation: ++generation, at };
      return { jwt: issued.jwt, generation: issued.generation };
    },
    invalidate(rejected) {
      if (issued?.generation === rejected) issued = undefined;
    },
  };
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
