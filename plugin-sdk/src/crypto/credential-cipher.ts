// Encryption of stored login passwords with the installation's passcrypt
// (`com.openexchange.push.credstorage.passcrypt`): AES-256-GCM, 12-byte random IV, key from scrypt
// over the passcrypt with a 16-byte random salt. Salt, KDF parameters, IV and ciphertext+tag travel
// together in one string, so any member with the same passcrypt can decrypt what another wrote.
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { KeelError } from '../errors.js';

export interface ScryptParameters { N: number; r: number; p: number }

export interface CredentialCipher {
  /**
   * `v1$scrypt$N=…,r=…,p=…$<salt>$<iv>$<ciphertext+tag>` (base64 parts). `associatedData` (e.g. the
   * owner `<cid>:<user>`) is authenticated, not stored: the value opens only with the same one, so a
   * value copied to another user's record does not open.
   */
  encrypt(plain: string, associatedData?: string): Promise<string>;
  /** Throws `CRD-0002` when the text is malformed, was sealed with another passcrypt or other associated data. */
  decrypt(sealed: string, associatedData?: string): Promise<string>;
}

export interface CredentialCipherOptions {
  /** scrypt cost (default N=16384, r=8, p=1); stored with every value, so it can change later. */
  scrypt?: ScryptParameters;
  /** Derived keys kept per salt (default 256). */
  maxCachedKeys?: number;
  /**
   * `true` (default): a fresh random salt, so an scrypt run, per value — for rarely written values
   * (push credentials). `false`: one random salt per cipher instance, the key derived once, a fresh
   * IV per value — for values written on hot paths (retained session passwords at every login).
   */
  saltPerValue?: boolean;
}

const DEFAULT_SCRYPT: ScryptParameters = { N: 16384, r: 8, p: 1 };
const VERSION = 'v1';
const KDF = 'scrypt';
/** Beyond these a stored value could make us burn memory and CPU: refuse it as malformed. */
const MIN_N = 1024;
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;

export function passcryptMissing(property = 'com.openexchange.push.credstorage.passcrypt'): KeelError {
  return new KeelError('CRD-0001', `The credential passcrypt is not configured: set ${property} (the same value on every member)`, { status: 500, params: [property] });
}

export function undecryptable(reason: string): KeelError {
  return new KeelError('CRD-0002', `Stored credentials cannot be decrypted (${reason}); was the passcrypt changed?`, { status: 500, params: [reason] });
}

function deriveKey(passcrypt: string, salt: Buffer, params: ScryptParameters): Promise<Buffer> {
  const maxmem = 128 * params.N * params.r * 2 + 1024 * 1024;
  return new Promise((resolve, reject) => scrypt(passcrypt, salt, 32, { ...params, maxmem }, (error, key) => (error ? reject(error) : resolve(key))));
}

function parseParams(text: string): ScryptParameters | undefined {
  const values = new Map(text.split(',').map((pair) => pair.split('=') as [string, string]));
  const N = Number(values.get('N'));
  const r = Number(values.get('r'));
  const p = Number(values.get('p'));
  const valid = [N, r, p].every(Number.isSafeInteger) && N >= MIN_N && (N & (N - 1)) === 0 && N <= MAX_N && r > 0 && r <= MAX_R && p > 0 && p <= MAX_P;
  return valid ? { N, r, p } : undefined;
}

/**
 * A cipher for one passcrypt. Derived keys are cached per salt, so opening a value again costs one
 * AES-GCM operation, not an scrypt run; see `saltPerValue` for sealing. Values sealed by either
 * mode, on any member with the same passcrypt, open everywhere.
 */
export function createCredentialCipher(passcrypt: string | undefined, options: CredentialCipherOptions = {}): CredentialCipher {
  if (passcrypt === undefined || passcrypt === '') throw passcryptMissing();
  const params = options.scrypt ?? DEFAULT_SCRYPT;
  if (parseParams(`N=${params.N},r=${params.r},p=${params.p}`) === undefined) throw new Error(`invalid scrypt parameters ${JSON.stringify(params)}`);
  const maxCachedKeys = options.maxCachedKeys ?? 256;
  const paramText = `N=${params.N},r=${params.r},p=${params.p}`;
  const saltPerValue = options.saltPerValue ?? true;
  const keys = new Map<string, Promise<Buffer>>();
  const instanceSalt = randomBytes(16);

  function keyFor(saltText: string, salt: Buffer, parsed: ScryptParameters, parsedText: string): Promise<Buffer> {
    const cacheKey = `${parsedText}$${saltText}`;
    let key = keys.get(cacheKey);
    if (key === undefined) {
      if (keys.size >= maxCachedKeys) keys.delete(keys.keys().next().value!);
      key = deriveKey(passcrypt!, salt, parsed);
      keys.set(cacheKey, key);
      key.catch(() => keys.delete(cacheKey));
    }
    return key;
  }

  return {
    async encrypt(plain, associatedData) {
      const salt = saltPerValue ? randomBytes(16) : instanceSalt;
      const saltText = salt.toString('base64');
      const key = await keyFor(saltText, salt, params, paramText);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return [VERSION, KDF, paramText, saltText, iv.toString('base64'), sealed.toString('base64')].join('$');
    },

    async decrypt(text, associatedData) {
      const parts = text.split('$');
      if (parts.length !== 6 || parts[0] !== VERSION || parts[1] !== KDF) throw undecryptable('unknown format');
      const [, , parsedText, saltText, ivText, sealedText] = parts as [string, string, string, string, string, string];
      const parsed = parseParams(parsedText);
      const salt = Buffer.from(saltText, 'base64');
      const iv = Buffer.from(ivText, 'base64');
      const sealed = Buffer.from(sealedText, 'base64');
      if (parsed === undefined || salt.length !== 16 || iv.length !== 12 || sealed.length < 16) throw undecryptable('malformed value');
      const key = await keyFor(saltText, salt, parsed, parsedText);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
        decipher.setAuthTag(sealed.subarray(sealed.length - 16));
        return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString('utf8');
      } catch {
        throw undecryptable('authentication failed');
      }
    },
  };
}
