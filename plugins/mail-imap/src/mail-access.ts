import type { CredentialStorage, ImapEndpoint, Logger, MailAccess, User, UserService } from '@keel/plugin-sdk';
import type { ConnectionLimit } from './connection-limit.js';
import { badMailServer, noCredentials } from './errors.js';
import { withImapConnection, type RawImap } from './imap-connection.js';
import { USER_LOGIN_ATTRIBUTE, USER_SERVER_ATTRIBUTE, type MailSettings } from './mail-settings.js';
import { parseMailServer } from './mail-server-url.js';
import { getServerMetadata, setServerMetadata } from './metadata.js';

export interface MailAccessOptions {
  settings: () => MailSettings;
  users: UserService;
  /** The highest-ranked credential storage right now, if any (push's, or a cluster one). */
  credentials: () => CredentialStorage | undefined;
  limit: ConnectionLimit;
  logger: Logger;
}

function imapLogin(user: User, settings: MailSettings): string {
  switch (settings.loginSource) {
    case 'mail':
      return user.email;
    case 'name':
      return user.login;
    case 'login':
      // The provisioned IMAP login when there is one, else the login the user signs in with.
      return user.attributes[USER_LOGIN_ATTRIBUTE] || user.login;
  }
}

/**
 * Mail server access per the middleware's `com.openexchange.mail.*` settings. Connections are
 * short-lived (one per call), bounded by `keel.mail.maxConnections`, with connect, greeting and
 * socket timeouts, so a stalled server costs a caller a bounded wait and never a leaked socket.
 */
export function createMailAccess(options: MailAccessOptions): MailAccess {
  const { users, limit, logger } = options;

  async function resolveEndpoint(contextId: number, userId: number, request: { password?: string } = {}): Promise<ImapEndpoint> {
    const settings = options.settings();
    const user = await users.require(contextId, userId);
    let server = settings.mailServer;
    if (settings.mailServerSource === 'user') {
      const value = user.attributes[USER_SERVER_ATTRIBUTE];
      if (!value) throw badMailServer(`com.openexchange.mail.mailServerSource=user, but user ${userId} in context ${contextId} has no ${USER_SERVER_ATTRIBUTE} attribute`);
      server = parseMailServer(value, `attribute ${USER_SERVER_ATTRIBUTE} of user ${userId} in context ${contextId}`);
    }
    let login = imapLogin(user, settings);
    let password: string;
    if (settings.passwordSource === 'global') {
      password = settings.masterPassword!;
      if (settings.authProxyDelimiter !== undefined) login = `${login}${settings.authProxyDelimiter}${settings.masterLogin}`;
    } else if (request.password !== undefined) {
      password = request.password;
    } else {
      const stored = await options.credentials()?.get({ contextId, userId });
      if (stored === undefined) throw noCredentials(contextId, userId);
      password = stored.password;
    }
    return { host: server.host, port: server.port, secure: server.secure, login, password, rejectUnauthorized: settings.rejectUnauthorized };
  }

  async function withConnection<T>(contextId: number, userId: number, request: { password?: string } | undefined, work: (client: RawImap, endpoint: ImapEndpoint) => Promise<T>): Promise<T> {
    const endpoint = await resolveEndpoint(contextId, userId, request);
    const settings = options.settings();
    const release = await limit.acquire(settings.acquireTimeoutMs);
    try {
      return await withImapConnection(endpoint, settings, logger, (client) => work(client, endpoint));
    } finally {
      release();
    }
  }

  return {
    resolveEndpoint,
    async setMetadata(contextId, userId, entry, value, request) {
      await withConnection(contextId, userId, request, (client, endpoint) => setServerMetadata(client, endpoint, entry, value));
      logger.debug({ context: contextId, user: userId, entry, set: value !== null }, 'server METADATA written');
    },
    getMetadata: (contextId, userId, entry, request) =>
      withConnection(contextId, userId, request, (client, endpoint) => getServerMetadata(client, endpoint, entry)),
    openConnections: () => limit.inUse,
  };
}
