import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AdminAuth, FailureTracker, HttpRequest, Logger } from '@keel/plugin-sdk';
import { adminAuthRequired, adminLockedOut } from './errors.js';
import type { MasterCredential } from './master-credential.js';
import { verifyScrypt } from './password-hash.js';

export interface AdminAuthOptions {
  /** Read at call time: a config reload may replace the credential. */
  credential: () => MasterCredential;
  /** Failures per client address. */
  failures: FailureTracker;
  logger: Logger;
}

export interface MasterAdminAuth extends AdminAuth {
  /** Forgets verified passwords, e.g. after the credential changed. */
  forget(): void;
}

/**
 * HTTP Basic authentication of the master admin. Comparisons go through HMACs under a per-process
 * key so that they take the same time whatever the input; a verified password is remembered as its
 * HMAC so that CLI scripts firing many requests do not pay a scrypt derivation each.
 */
export function createAdminAuth(options: AdminAuthOptions): MasterAdminAuth {
  const key = randomBytes(32);
  const verified = new Set<string>();
  const mac = (value: string) => createHmac('sha256', key).update(value).digest();
  const sameText = (a: string, b: string) => timingSafeEqual(mac(a), mac(b));

  async function check(login: string, password: string): Promise<boolean> {
    const credential = options.credential();
    const remembered = mac(`${credential.login}\0${login}\0${password}`).toString('hex');
    if (verified.has(remembered)) return true;
    const loginMatches = sameText(login, credential.login);
    // The password is checked even for a wrong login, so both failures take the same time.
    const secret = credential.secret;
    const passwordMatches = secret.kind === 'plain' ? sameText(password, secret.password) : await verifyScrypt(password, secret.hash);
    if (!(loginMatches && passwordMatches)) return false;
    if (verified.size >= 16) verified.clear();
    verified.add(remembered);
    return true;
  }

  async function verify(request: HttpRequest): Promise<void> {
    const address = request.ip;
    const lockedMs = options.failures.lockedFor(address);
    if (lockedMs > 0) throw adminLockedOut(Math.ceil(lockedMs / 1000));
    const challenge = !isScriptRequest(request);
    const basic = parseBasic(request.headers['authorization']);
    // A request without credentials is how clients discover the realm: not counted as a failure.
    if (basic === undefined) throw adminAuthRequired('send the master admin login and password with HTTP Basic authentication', challenge);
    if (await check(basic.login, basic.password)) {
      options.failures.reset(address);
      return;
    }
    const outcome = options.failures.recordFailure(address);
    options.logger.warn({ address, login: basic.login, lockedMs: outcome.lockedMs }, 'master admin authentication failed');
    if (outcome.lockedMs > 0) throw adminLockedOut(Math.ceil(outcome.lockedMs / 1000));
    if (outcome.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, outcome.delayMs));
    throw adminAuthRequired('wrong login or password', challenge);
  }

  return { verify, check, forget: () => verified.clear() };
}

/** Wraps a route handler so that it runs only for the master admin. */
export function guardWith(auth: AdminAuth) {
  return <T>(handler: (request: HttpRequest) => T | Promise<T>) => async (request: HttpRequest): Promise<T> => {
    await auth.verify(request);
    return handler(request);
  };
}

/** The admin console marks its requests the way XMLHttpRequest libraries do; they get no Basic challenge. */
export function isScriptRequest(request: Pick<HttpRequest, 'headers'>): boolean {
  const value = request.headers['x-requested-with'];
  return (Array.isArray(value) ? value[0] : value)?.toLowerCase() === 'xmlhttprequest';
}

/** `Authorization: Basic base64(login:password)`; the password may contain colons. */
export function parseBasic(header: string | string[] | undefined): { login: string; password: string } | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(value);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
