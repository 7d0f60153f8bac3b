// Authenticator 'appintegration': asks the context's Application Integration server (cmd=auth).
import type { AuthResult, Authenticator, ContextService, Credentials, Logger, User, UserService } from '@keel/plugin-sdk';
import type { IntegrationClient } from './integration-client.js';
import { SYNC_SOURCE } from './user-sync.js';

export const AUTHENTICATOR_NAME = 'appintegration';

export interface AuthenticatorOptions {
  /** Read per login: a reload replaces the clients. */
  clients: () => ReadonlyMap<number, IntegrationClient>;
  contexts: ContextService;
  users: UserService;
  logger: Logger;
}

/**
 * Finds the local user a login names, in contexts that have a server only:
 * - with `contextId` (an Application Integration account asking): that context, by login, by the part
 *   before `@`, by mail address;
 * - `name@mapping` whose mapping is a context's login mapping: `name` there, else the address there;
 * - otherwise the default context: the whole login, else as a mail address.
 */
async function localUser(options: AuthenticatorOptions, credentials: Credentials): Promise<User | undefined> {
  const { contexts, users } = options;
  const served = options.clients();
  const login = credentials.login;
  const at = login.lastIndexOf('@');
  const local = at > 0 ? login.slice(0, at) : login;

  if (credentials.contextId !== undefined) {
    const cid = credentials.contextId;
    if (!served.has(cid)) return undefined;
    return (await users.findByLogin(cid, login)) ?? (at > 0 ? (await users.findByLogin(cid, local)) ?? (await users.findByMail(cid, login)) : undefined);
  }
  if (at > 0 && at < login.length - 1) {
    const context = await contexts.findByLoginMapping(login.slice(at + 1));
    if (context !== undefined && served.has(context.id)) {
      const user = (await users.findByLogin(context.id, local)) ?? (await users.findByMail(context.id, login));
      if (user !== undefined) return user;
    }
  }
  const fallback = await contexts.defaultContext();
  if (fallback === undefined || !served.has(fallback.id)) return undefined;
  return (await users.findByLogin(fallback.id, login)) ?? (at > 0 ? await users.findByMail(fallback.id, login) : undefined);
}

/**
 * Only logins of local users are sent to the server (a sync creates them), under the user's login, which
 * is the server's userName. The server's "no" is definite for users it owns (source `appintegration`);
 * for users of another source it is not-mine, so their own backend decides. A server that is down, slow
 * or answers garbage is not-mine: a broken integration server must never let anyone in, nor lock out
 * users another backend can check.
 */
export function createAppIntegrationAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { logger } = options;
  return {
    name: AUTHENTICATOR_NAME,
    async authenticate(credentials): Promise<AuthResult> {
      if (options.clients().size === 0) return { outcome: 'not-mine', reason: 'no Application Integration server configured' };
      const user = await localUser(options, credentials);
      if (user === undefined) return { outcome: 'not-mine', reason: 'no local user of a context with an Application Integration server has this login (a sync creates them)' };
      const client = options.clients().get(user.contextId);
      if (client === undefined) return { outcome: 'not-mine', reason: 'the server configuration was removed meanwhile' };

      const answer = await client.checkPassword(user.login, credentials.password);
      if (answer.kind === 'unavailable') {
        // The password stays out of the log: only the server, the login and what went wrong.
        logger.warn({ contextId: user.contextId, login: user.login, server: client.server.url.host, reason: answer.reason }, `Application Integration server unavailable for context ${user.contextId}: ${answer.reason}`);
        return { outcome: 'not-mine', reason: `Application Integration server unavailable: ${answer.reason}` };
      }
      if (answer.succeeded) return { outcome: 'success', contextId: user.contextId, userId: user.id };
      if (user.source === SYNC_SOURCE) return { outcome: 'failure', reason: 'the Application Integration server refused the password' };
      return { outcome: 'not-mine', reason: `the Application Integration server refused the password of a '${user.source}' user; its own backend decides` };
    },
  };
}
