// cmd=auth: one password check through the login's authenticator chain, restricted to the account's context.
import { isKeelError, type AuthenticationService, type Logger } from '@keel/plugin-sdk';
import type { IntegrationAccount } from './integration-accounts.js';

export interface PasswordCheck {
  succeeded: boolean;
  /** Seconds until a locked-out login may try again (LGI-0020), sent as `Retry-After`. */
  retryAfter?: string;
}

/** The answers of the authentication service that mean "no" to MailStore rather than "broken". */
const REFUSALS = new Set(['LGI-0001', 'LGI-0006', 'LGI-0010', 'LGI-0020']);

/**
 * MailStore checks every user's password from its own address. The brute-force counter per client
 * address is therefore keyed by that address *and* the user: otherwise fifty wrong passwords typed by
 * anyone would lock every archive user out. The counter per login applies as for any other login.
 */
export function clientKey(address: string, account: IntegrationAccount, user: string): string {
  return `${address} (appintegration ${account.name}: ${user.trim().toLowerCase()})`;
}

export async function checkPassword(
  authentication: AuthenticationService,
  account: IntegrationAccount,
  request: { user: string; pass: string; address: string },
  logger: Logger,
): Promise<PasswordCheck> {
  try {
    const result = await authentication.authenticate({
      login: request.user,
      password: request.pass,
      ip: clientKey(request.address, account, request.user),
      client: `appintegration:${account.name}`,
      contextId: account.contextId,
    });
    if (result.contextId !== account.contextId) {
      // An authenticator ignored the context restriction: this account must not vouch for another tenant.
      logger.warn({ account: account.name, login: request.user, contextId: result.contextId, authenticator: result.authenticator },
        `cmd=auth: authenticator '${result.authenticator}' answered a user of context ${result.contextId}, not the account's context ${account.contextId}; refused`);
      return { succeeded: false };
    }
    return { succeeded: true };
  } catch (error) {
    if (!isKeelError(error) || !REFUSALS.has(error.code)) throw error;
    logger.debug({ account: account.name, login: request.user, code: error.code }, 'cmd=auth refused');
    const retryAfter = error.code === 'LGI-0020' ? error.headers['retry-after'] : undefined;
    return retryAfter === undefined ? { succeeded: false } : { succeeded: false, retryAfter };
  }
}
