import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { undecryptable } from './errors.js';

/**
 * Sealing of stored passwords: AES-256-GCM with a 12-byte random IV; the key is scrypt over the
 * passcrypt with a 16-byte random salt per value. Everything needed to open it again travels in
 * the one stored string:
 *
 *     v1$scrypt$N=16384,r=8,p=1$<salt b64>$<iv b64>$<ciphertext+tag b64>
 *
 * The owner (`<cid>:<user>`) is bound as additional authenticated data, so a value copied to
 * another user's row does not open. A wrong passcrypt fails the GCM tag check: CRD-0002, never garbage.
 */
export interface ScryptParameters { N: number; r: number; p: number }

export const DEFAULT_SCRYPT: ScryptParameters = { N: 16384, r: 8, p: 1 };
const VERSION = 'v1';
const KDF = 'scrypt';
const TAG_LENGTH = 16;

function deriveKey(passcrypt: string, salt: Buffer, params: ScryptParameters): Promise<Buffer> {
  // maxmem: scrypt needs 128·N·r bytes; allow twice that.
  const maxmem = Math.max(32 * 1024 * 1024, 256 * params.N * params.r);
  return new Promise((resolve, reject) =>
    scrypt(passcrypt, salt, 32, { N: params.N, r: params.r, p: params.p, maxmem }, (error, key) => (error ? reject(error) : resolve(key))));
}

/** Bounds a stored string may ask for: a tampered row must not make us burn gigabytes or minutes. */
function validParameters(params: ScryptParameters): boolean {
  const powerOfTwo = Number.isInteger(Math.log2(params.N));
  return powerOfTwo && params.N >= 1024 && params.N <= 1 << 20 && params.r >= 1 && params.r <= 32 && params.p >= 1 && params.p <= 16;
}

function parseParameters(text: string): ScryptParameters | undefined {
  const match = /^N=(\d+),r=(\d+),p=(\d+)$/.exec(text);
  if (!match) return undefined;
  const params = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  return validParameters(params) ? params : undefined;
}

export interface CredentialCipher {
  seal(owner: string, password: string): Promise<string>;
  /** Throws CRD-0002 when the value is malformed or the passcrypt does not open it. */
  open(owner: string, sealed: string): Promise<string>;
}

export function createCredentialCipher(passcrypt: string, params: ScryptParameters = DEFAULT_SCRYPT): CredentialCipher {
  if (!validParameters(params)) throw new Error(`invalid scrypt parameters ${JSON.stringify(params)}`);
  // Derived keys by salt and parameters: reading the same stored value again costs no KDF run.
  const keys = new Map<string, Promise<Buffer>>();
  const keyFor = (salt: Buffer, p: ScryptParameters) => {
    const id = `${p.N},${p.r},${p.p}$${salt.toString('base64')}`;
    let key = keys.get(id);
    if (key === undefined) {
      if (keys.size >= 256) keys.delete(keys.keys().next().value!);
      key = deriveKey(passcrypt, salt, p);
      keys.set(id, key);
      key.catch(() => keys.delete(id));
    }
    return key;
  };

  return {
    async seal(owner, password) {
      const salt = randomBytes(16);
      const iv = randomBytes(12);
      const key = await keyFor(salt, params);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
      cipher.setAAD(Buffer.from(owner, 'utf8'));
      const sealed = Buffer.concat([cipher.update(password, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return [VERSION, KDF, `N=${params.N},r=${params.r},p=${params.p}`, salt.toString('base64'), iv.toString('base64'), sealed.toString('base64')].join('$');
    },

    async open(owner, value) {
      const parts = value.split('$');
      if (parts.length !== 6 || parts[0] !== VERSION || parts[1] !== KDF) throw undecryptable('unknown format');
      const stored = parseParameters(parts[2]!);
      if (stored === undefined) throw undecryptable('unusable KDF parameters');
      const salt = Buffer.from(parts[3]!, 'base64');
      const iv = Buffer.from(parts[4]!, 'base64');
      const sealed = Buffer.from(parts[5]!, 'base64');
      if (salt.length !== 16 || iv.length !== 12 || sealed.length < TAG_LENGTH) throw undecryptable('truncated value');
      const key = await keyFor(salt, stored);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
        decipher.setAAD(Buffer.from(owner, 'utf8'));
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
        return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_LENGTH)), decipher.final()]).toString('utf8');
      } catch {
        throw undecryptable('authentication tag mismatch');
      }
    },
  };
}
