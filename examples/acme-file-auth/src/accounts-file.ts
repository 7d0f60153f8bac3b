import { scryptSync, timingSafeEqual } from 'node:crypto';

/** One line of `acme-accounts.yml`: a login mapped to a Keel user, with a scrypt hash of its password. */
export interface Account {
  login: string;
  contextId: number;
  userId: number;
  /** `scrypt:<salt hex>:<hash hex>` */
  hash: string;
}

export function parseAccounts(document: unknown): Map<string, Account> {
  const accounts = new Map<string, Account>();
  if (document === undefined || document === null) return accounts;
  if (typeof document !== 'object' || Array.isArray(document)) throw new Error('acme-accounts.yml must map logins to { contextId, userId, hash }');
  for (const [login, value] of Object.entries(document as Record<string, unknown>)) {
    const entry = value as Partial<Account> | null;
    if (!entry || !Number.isInteger(entry.contextId) || !Number.isInteger(entry.userId) || typeof entry.hash !== 'string' || !entry.hash.startsWith('scrypt:')) {
      throw new Error(`acme-accounts.yml: entry '${login}' needs contextId, userId and a hash 'scrypt:<salt>:<hash>'`);
    }
    accounts.set(login.toLowerCase(), { login, contextId: entry.contextId!, userId: entry.userId!, hash: entry.hash });
  }
  return accounts;
}

export function hashPassword(password: string, salt: string): string {
  return `scrypt:${salt}:${scryptSync(password, salt, 32).toString('hex')}`;
}

/** Constant-time comparison of a password against a stored hash. */
export function verifyPassword(password: string, stored: string): boolean {
  const [, salt = '', hex = ''] = stored.split(':');
  const expected = Buffer.from(hex, 'hex');
  const actual = scryptSync(password, salt, expected.length || 32);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
