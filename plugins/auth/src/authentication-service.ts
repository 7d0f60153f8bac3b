import type { AuthenticationService, Authenticator, ContextService, Credentials, FailureTracker, Logger, UserService } from '@keel/plugin-sdk';
import type { AuthSettings } from './auth-settings.js';
import { runAuthenticatorChain } from './authenticator-chain.js';
import { accountDisabled, invalidCredentials, missingCredentials, tooManyFailures } from './errors.js';

export interface AuthenticationServiceOptions {
  /** Read at call time: authenticators come and go while the bundle runs. */
  authenticators: () => Authenticator[];
  contexts: ContextService;
  users: UserService;
  settings: () => AuthSettings;
  failuresPerLogin: FailureTracker;
  failuresPerAddress: FailureTracker;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The login key brute-force counters use: case and surrounding blanks do not make a new login. */
export function loginKey(login: string): string {
  return login.trim().toLowerCase();
}

export function createAuthenticationService(options: AuthenticationServiceOptions): AuthenticationService {
  const sleep = options.sleep ?? defaultSleep;
  const { failuresPerLogin, failuresPerAddress, logger } = options;

  async function fail(credentials: Credentials, reason: string): Promise<never> {
    const byLogin = failuresPerLogin.recordFailure(loginKey(credentials.login));
    const byAddress = failuresPerAddress.recordFailure(credentials.ip);
    const locked = byLogin.lockedMs > 0 || byAddress.lockedMs > 0;
    logger.info({ login: credentials.login, ip: credentials.ip, reason, locked }, locked ? 'login failed; further attempts are locked out' : 'login failed');
    const delayMs = Math.max(byLogin.delayMs, byAddress.delayMs);
    if (delayMs > 0) await sleep(delayMs);
    throw invalidCredentials();
  }

  async function authenticate(credentials: Credentials): Promise<{ contextId: number; userId: number; authenticator: string }> {
    const { login, password } = credentials;
    if (typeof login !== 'string' || typeof password !== 'string' || login.trim() === '' || password === '') throw missingCredentials();

    const lockedMs = Math.max(failuresPerLogin.lockedFor(loginKey(login)), failuresPerAddress.lockedFor(credentials.ip));
    if (lockedMs > 0) throw tooManyFailures(Math.ceil(lockedMs / 1000));

    const settings = options.settings();
    if (login.length > settings.maxLoginLength || password.length > settings.maxPasswordLength) return fail(credentials, 'oversized login or password');

    const result = await runAuthenticatorChain(options.authenticators(), { ...credentials, login: login.trim() }, logger);
    if (result.outcome === 'none') return fail(credentials, 'no authenticator knows this login');
    if (result.outcome === 'failure') return fail(credentials, `${result.authenticator}: ${result.reason}`);

    const context = await options.contexts.get(result.contextId);
    if (context === undefined) return fail(credentials, `${result.authenticator} answered unknown context ${result.contextId}`);
    const user = await options.users.get(result.contextId, result.userId);
    if (user === undefined) return fail(credentials, `${result.authenticator} answered unknown user ${result.userId} in context ${result.contextId}`);
    // The password was right: reset the login's counter before telling that the account is disabled.
    failuresPerLogin.reset(loginKey(login));
    if (!context.enabled) throw accountDisabled('context');
    if (!user.enabled) throw accountDisabled('user');
    return { contextId: result.contextId, userId: result.userId, authenticator: result.authenticator };
  }

  return { authenticate };
}
