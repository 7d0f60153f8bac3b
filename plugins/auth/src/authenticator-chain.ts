import type { AuthResult, Authenticator, Credentials, Logger } from '@keel/plugin-sdk';

export type ChainResult =
  | { outcome: 'success'; contextId: number; userId: number; authenticator: string }
  | { outcome: 'failure'; reason: string; authenticator: string }
  | { outcome: 'none' };

/**
 * Asks the authenticators in ranking order; the first definite answer wins. An authenticator that
 * throws is treated as not-mine (a broken LDAP server must not lock out database users) and logged.
 */
export async function runAuthenticatorChain(authenticators: readonly Authenticator[], credentials: Credentials, logger: Logger): Promise<ChainResult> {
  for (const authenticator of authenticators) {
    let result: AuthResult;
    try {
      result = await authenticator.authenticate(credentials);
    } catch (error) {
      // The credentials object stays out of the log: it carries the password.
      logger.error({ authenticator: authenticator.name, login: credentials.login, err: { message: (error as Error).message } }, `authenticator '${authenticator.name}' failed; trying the next one`);
      continue;
    }
    if (result.outcome === 'success') return { outcome: 'success', contextId: result.contextId, userId: result.userId, authenticator: authenticator.name };
    if (result.outcome === 'failure') return { outcome: 'failure', reason: result.reason, authenticator: authenticator.name };
  }
  return { outcome: 'none' };
}
