import type { AuthResult, Authenticator, ContextService, Credentials, Logger, UserService } from '@keel/plugin-sdk';
import { describeLdapError } from './ldap-connector.js';
import type { LdapDirectory } from './ldap-directory.js';
import type { LdapSettings } from './ldap-settings.js';
import { LDAP_SOURCE, ensureLocalUser } from './local-user.js';
import { resolveLoginTarget } from './login-target.js';
import type { OutageLog } from './outage-log.js';
import { profileOf } from './ldap-profile.js';

export const AUTHENTICATOR_NAME = 'ldap';

export interface LdapAuthenticatorOptions {
  /** Read per login: a reload swaps settings and directory together. */
  current: () => { settings: LdapSettings; directory: LdapDirectory };
  contexts: ContextService;
  users: UserService;
  logger: Logger;
  outage: OutageLog;
}

/**
 * Binds as the user against LDAP and maps the entry to a local user (created at the first login).
 * Wrong password: failure. No entry, a local user of another source, or LDAP unusable: not-mine, so
 * the next authenticator (the database) still serves its users. Never logs the password.
 */
export function createLdapAuthenticator(options: LdapAuthenticatorOptions): Authenticator {
  const { contexts, users, logger, outage } = options;

  async function authenticate(credentials: Credentials): Promise<AuthResult> {
    // An empty password would be an anonymous bind, which servers answer with "success".
    if (typeof credentials.password !== 'string' || credentials.password === '') return { outcome: 'failure', reason: 'empty password' };
    const input = typeof credentials.login === 'string' ? credentials.login.trim() : '';
    if (input === '') return { outcome: 'not-mine', reason: 'empty login' };
    const { settings, directory } = options.current();

    const target = await resolveLoginTarget(contexts, input, {
      ...(settings.contextId !== undefined ? { settingContextId: settings.contextId } : {}),
      ...(credentials.contextId !== undefined ? { requestContextId: credentials.contextId } : {}),
    });
    if (target === undefined) return { outcome: 'not-mine', reason: 'no context for this login' };
    const contextId = target.context.id;

    // Local users keep their passwords away from the LDAP server.
    const local = (await users.findByLogin(contextId, target.values.login)) ?? (input.includes('@') ? await users.findByMail(contextId, input) : undefined);
    if (local !== undefined && local.source !== LDAP_SOURCE) return { outcome: 'not-mine', reason: `user authenticates through '${local.source}'` };

    let verdict;
    try {
      verdict = await directory.verify(target.values, credentials.password);
    } catch (error) {
      const reason = `LDAP unavailable: ${describeLdapError(error)}`;
      outage.down(reason);
      return { outcome: 'not-mine', reason };
    }
    outage.up();

    switch (verdict.outcome) {
      case 'no-entry':
        return { outcome: 'not-mine', reason: 'no LDAP entry for this login' };
      case 'wrong-password':
        return { outcome: 'failure', reason: 'wrong password' };
      case 'refused':
        return { outcome: 'failure', reason: `LDAP refused the bind: ${verdict.reason}` };
      case 'ambiguous':
        logger.warn({ login: input, entries: verdict.count }, 'the LDAP search matched several entries; refusing the login (make keel.auth.ldap.search.filter unique)');
        return { outcome: 'failure', reason: 'several LDAP entries match this login' };
      case 'bound':
        break;
    }

    const profile = profileOf(verdict.entry, settings.attributes, target.values.login);
    const result = await ensureLocalUser(users, contextId, profile);
    if (result.outcome === 'foreign') return { outcome: 'not-mine', reason: `user ${profile.login} authenticates through '${result.source}'` };
    if (result.outcome === 'invalid') {
      logger.warn({ login: input, dn: profile.dn, context: contextId, reason: result.reason }, 'LDAP login cannot be mapped to a local user');
      return { outcome: 'failure', reason: result.reason };
    }
    if (result.created) logger.info({ context: contextId, user: result.user.id, dn: profile.dn }, 'created the local user of an LDAP entry');
    else if (result.updated) logger.info({ context: contextId, user: result.user.id, dn: profile.dn }, 'updated the local user from its LDAP entry');
    return { outcome: 'success', contextId, userId: result.user.id };
  }

  return { name: AUTHENTICATOR_NAME, authenticate };
}
