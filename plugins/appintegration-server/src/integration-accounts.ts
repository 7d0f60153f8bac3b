// The integration accounts of appintegration.yml and the check of a MailStore request's Basic credentials.
import { invalidAccounts } from './errors.js';
import { mac, parseSecret, sameText, verifySecret, type AccountSecret } from './account-password.js';

export const ACCOUNTS_FILE = 'appintegration.yml';

/** One MailStore installation (or instance) allowed to read one context. */
export interface IntegrationAccount {
  /** The key in appintegration.yml, for logs. */
  readonly name: string;
  readonly login: string;
  readonly secret: AccountSecret;
  readonly contextId: number;
}

const ACCOUNT_KEYS = new Set(['login', 'password', 'context']);

/**
 * `<name>: {login, password, context}`. Every problem names the account and the field, so the operator
 * can fix the file from the message alone. An absent or empty file means no accounts.
 */
export function parseAccounts(raw: unknown, file = ACCOUNTS_FILE): IntegrationAccount[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidAccounts(file, 'expected a mapping of account names to {login, password, context}');
  const accounts: IntegrationAccount[] = [];
  const logins = new Map<string, string>();
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    const fail = (detail: string) => invalidAccounts(file, `account '${name}': ${detail}`);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw fail('expected {login, password, context}');
    const fields = entry as Record<string, unknown>;
    for (const key of Object.keys(fields)) if (!ACCOUNT_KEYS.has(key)) throw fail(`unknown key '${key}' (allowed: login, password, context)`);
    const { login, password, context } = fields;
    if (typeof login !== 'string' || login.trim() === '' || login.includes(':')) throw fail('login must be a non-empty string without ":"');
    // YAML turns unquoted digits into numbers; a numeric password is still a password.
    const passwordText = typeof password === 'number' ? String(password) : password;
    if (typeof passwordText !== 'string' || passwordText === '') throw fail('password must be a non-empty string (plain, or a {scrypt} hash from keel mpasswd)');
    const contextId = typeof context === 'string' && /^\d+$/.test(context) ? Number(context) : context;
    if (typeof contextId !== 'number' || !Number.isInteger(contextId) || contextId < 1) throw fail(`context must be a context id (a whole number ≥ 1), got ${JSON.stringify(context)}`);
    const secret = parseSecret(passwordText);
    if (typeof secret === 'string') throw fail(secret);
    const other = logins.get(login);
    if (other !== undefined) throw fail(`login '${login}' is also used by account '${other}'`);
    logins.set(login, name);
    accounts.push({ name, login, secret, contextId });
  }
  return accounts;
}

export interface AccountDirectory {
  /** The account these Basic credentials belong to, or undefined. Constant time per configured account. */
  authenticate(login: string, password: string): Promise<IntegrationAccount | undefined>;
  readonly size: number;
}

/**
 * MailStore sends the credentials with every request, so a verified pair is remembered (as an HMAC,
 * never the password) to spare an scrypt derivation per request; a reload builds a new directory.
 */
export function createAccountDirectory(accounts: readonly IntegrationAccount[]): AccountDirectory {
  const verified = new Map<string, IntegrationAccount>();
  const dummy: AccountSecret = { kind: 'plain', password: 'no account has this login' };

  async function authenticate(login: string, password: string): Promise<IntegrationAccount | undefined> {
    const remembered = mac(`${login}\0${password}`).toString('base64');
    const hit = verified.get(remembered);
    if (hit !== undefined) return hit;
    // Every login is compared, so the time does not tell which logins exist.
    let match: IntegrationAccount | undefined;
    for (const account of accounts) if (sameText(login, account.login)) match = account;
    // The password is checked even for an unknown login (against some account's secret, whose result
    // is ignored), so both failures cost the same scrypt work.
    const ok = await verifySecret(password, match?.secret ?? accounts[0]?.secret ?? dummy);
    if (match === undefined || !ok) return undefined;
    if (verified.size >= 64) verified.clear();
    verified.set(remembered, match);
    return match;
  }

  return { authenticate, size: accounts.length };
}
