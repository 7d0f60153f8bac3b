import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Master password hashes as stored in `mpasswd`:
 * `{scrypt}N=<cost>,r=<blockSize>,p=<parallelization>$<salt base64>$<derived key base64>`.
 * The parameters travel with the hash so they can be raised later without invalidating old entries.
 */
export const SCRYPT_SCHEME = '{scrypt}';
export const PLAIN_SCHEME = '{PLAIN}';

const DEFAULTS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const HASH_PATTERN = /^N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export interface ScryptHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function derive(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // 128 * N * r bytes are needed; leave headroom above node's 32 MiB default for raised costs.
    scrypt(password, salt, length, { ...options, maxmem: 256 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Hashes a password into the `{scrypt}…` form (scheme prefix included). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, KEY_LENGTH, DEFAULTS);
  return `${SCRYPT_SCHEME}N=${DEFAULTS.N},r=${DEFAULTS.r},p=${DEFAULTS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Parses the part after `{scrypt}`; undefined when malformed. */
export function parseScryptHash(text: string): ScryptHash | undefined {
  const match = HASH_PATTERN.exec(text);
  if (!match) return undefined;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // N must be a power of two above 1; keep costs in a range node accepts.
  if (N < 2 || (N & (N - 1)) !== 0 || r < 1 || p < 1 || N > 2 ** 20 || r > 64 || p > 16) return undefined;
  const salt = Buffer.from(match[4]!, 'base64');
  const key = Buffer.from(match[5]!, 'base64');
  if (salt.length === 0 || key.length < 16) return undefined;
  return { N, r, p, salt, key };
}

/** Constant-time check of a password against a parsed hash. */
export async function verifyScrypt(password: string, hash: ScryptHash): Promise<boolean> {
  const candidate = await derive(password, hash.salt, hash.key.length, { N: hash.N, r: hash.r, p: hash.p });
  return timingSafeEqual(candidate, hash.key);
}
