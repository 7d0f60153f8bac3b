import type { AuthResult, Authenticator, ContextService, Credentials, UserService } from '@keel/plugin-sdk';
import { resolveLogin } from './login-resolver.js';

export const AUTHENTICATOR_NAME = 'database';

/**
 * Checks the scrypt hash the user directory stores. Logins it cannot resolve, and users whose
 * password lives elsewhere (source other than `local`, e.g. LDAP), are not its business.
 */
export function createDatabaseAuthenticator(directory: { contexts: ContextService; users: UserService }): Authenticator {
  return {
    name: AUTHENTICATOR_NAME,
    async authenticate(credentials: Credentials): Promise<AuthResult> {
      const user = await resolveLogin(directory, credentials.login, credentials.contextId);
      if (user === undefined) return { outcome: 'not-mine', reason: 'unknown login' };
      if (user.source !== 'local') return { outcome: 'not-mine', reason: `user authenticates through '${user.source}'` };
      // Disabled accounts are checked too: the authentication service then answers "disabled" (LGI-0010),
      // but only to someone who knows the password.
      const matches = await directory.users.verifyPassword(user.contextId, user.id, credentials.password, { includeDisabled: true });
      return matches
        ? { outcome: 'success', contextId: user.contextId, userId: user.id }
        : { outcome: 'failure', reason: 'wrong password' };
    },
  };
}
