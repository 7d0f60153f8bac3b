import { createServiceRef } from '../service-ref.js';

/** Where and as whom to reach a user's IMAP server. */
export interface ImapEndpoint {
  host: string;
  port: number;
  /** Implicit TLS (`imaps://`). */
  secure: boolean;
  /** The IMAP login (per `com.openexchange.mail.loginSource`, with `user<delim>master` when a master login is used). */
  login: string;
  password: string;
  /** Verify the server certificate (default true). */
  rejectUnauthorized: boolean;
}

/**
 * Mail server access for a user (mail-imap bundle), following the middleware's settings:
 * `com.openexchange.mail.mailServerSource` (global | user), `mailServer`, `loginSource`
 * (login | mail | name), `passwordSource` (session | global), `masterPassword`, `authProxyDelimiter`.
 * Errors: `MSG-0001` no credentials available (the session password is not retained and no stored
 * credentials exist), `MSG-0002` IMAP login refused, `MSG-0003` server unreachable or timed out.
 */
export interface MailAccess {
  /** The endpoint and credentials for a user; `password` (from a session or credential storage) is used when passwordSource is session. */
  resolveEndpoint(contextId: number, userId: number, options?: { password?: string }): Promise<ImapEndpoint>;
  /** `SETMETADATA "" (<entry> <value>)` on the user's server-level METADATA; `null` removes it (NIL). */
  setMetadata(contextId: number, userId: number, entry: string, value: string | null, options?: { password?: string }): Promise<void>;
  /** `GETMETADATA "" (<entry>)`; undefined when unset. */
  getMetadata(contextId: number, userId: number, entry: string, options?: { password?: string }): Promise<string | undefined>;
  /** Open connections by this service right now (for metrics). */
  openConnections(): number;
}

export const mailAccessRef = createServiceRef<MailAccess>({ id: 'mail.access', version: '1.0.0' });
