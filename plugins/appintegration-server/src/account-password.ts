// Integration account passwords as appintegration.yml stores them: a `{scrypt}` hash (the same form
// `keel mpasswd` prints) or the password itself.
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export const SCRYPT_SCHEME = '{scrypt}';
export const PLAIN_SCHEME = '{PLAIN}';

const HASH_PATTERN = /^N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export type AccountSecret =
  | { readonly kind: 'plain'; readonly password: string }
  | { readonly kind: 'scrypt'; readonly N: number; readonly r: number; readonly p: number; readonly salt: Buffer; readonly key: Buffer };

/**
 * `{scrypt}N=<cost>,r=<block size>,p=<parallelism>$<salt base64>$<key base64>` is a hash; `{PLAIN}secret`
 * and any other text are the password itself. Returns a reason string for a malformed hash.
 */
export function parseSecret(text: string): AccountSecret | string {
  if (text.startsWith(PLAIN_SCHEME)) {
    const password = text.slice(PLAIN_SCHEME.length);
    return password === '' ? 'the {PLAIN} password is empty' : { kind: 'plain', password };
  }
  if (!text.startsWith(SCRYPT_SCHEME)) return { kind: 'plain', password: text };
  const match = HASH_PATTERN.exec(text.slice(SCRYPT_SCHEME.length));
  if (!match) return 'malformed {scrypt} hash (expected {scrypt}N=…,r=…,p=…$salt$key as printed by keel mpasswd)';
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Absurd costs would stall the process on every request.
  if (N < 2 || (N & (N - 1)) !== 0 || N > 2 ** 20 || r < 1 || r > 64 || p < 1 || p > 16) return 'the {scrypt} cost parameters are out of range';
  const salt = Buffer.from(match[4]!, 'base64');
  const key = Buffer.from(match[5]!, 'base64');
  if (salt.length === 0 || key.length < 16) return 'the {scrypt} salt or key is too short';
  return { kind: 'scrypt', N, r, p, salt, key };
}

/** A process-wide HMAC key: comparing HMACs takes the same time whatever the inputs' lengths. */
const macKey = randomBytes(32);

export function mac(value: string): Buffer {
  return createHmac('sha256', macKey).update(value).digest();
}

export function sameText(a: string, b: string): boolean {
  return timingSafeEqual(mac(a), mac(b));
}

function derive(password: string, salt: Buffer, length: number, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Constant-time check of a password against an account's secret. */
export async function verifySecret(password: string, secret: AccountSecret): Promise<boolean> {
  if (secret.kind === 'plain') return sameText(password, secret.password);
  const candidate = await derive(password, secret.salt, secret.key.length, secret);
  return timingSafeEqual(candidate, secret.key);
}

/** Hashes a password into the `{scrypt}` form (tests and tooling; operators use `keel mpasswd`). */
export async function hashSecret(password: string): Promise<string> {
  const cost = { N: 16384, r: 8, p: 1 };
  const salt = randomBytes(16);
  const key = await derive(password, salt, 32, cost);
  return `${SCRYPT_SCHEME}N=${cost.N},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}
