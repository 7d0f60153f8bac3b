import { ImapFlow } from 'imapflow';
import { isKeelError, type ImapEndpoint, type Logger } from '@keel/plugin-sdk';
import { clientUnsupported, loginRefused, unreachable } from './errors.js';
import { describeServer } from './mail-server-url.js';

export interface ConnectionTimeouts {
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
}

/** An IMAP attribute as imapflow's command compiler takes it; `null` is NIL. */
export type ImapAttribute = { type: 'ATOM' | 'STRING' | 'LITERAL'; value: string } | ImapAttribute[] | null;

/** An attribute of a parsed untagged response. */
export type ParsedAttribute = { type: string; value: string | Buffer } | ParsedAttribute[] | null;

/**
 * The part of imapflow used for commands it has no method for. `exec` is how every imapflow
 * command is built (`lib/commands/*`), marked internal; its presence is checked once per
 * connection so an imapflow upgrade that changes it fails loudly, not with garbage.
 */
export interface RawImap {
  exec(
    command: string,
    attributes: ImapAttribute[],
    options?: { untagged?: Record<string, (untagged: { attributes?: ParsedAttribute[] }) => Promise<void> | void> },
  ): Promise<unknown>;
  readonly capabilities: Map<string, boolean | number>;
}

export function serverOf(endpoint: ImapEndpoint): string {
  return describeServer(endpoint);
}

/** Turns imapflow's failures into the MSG errors (credentials are never part of a message). */
export function mapImapError(error: unknown, endpoint: ImapEndpoint): Error {
  if (isKeelError(error)) return error;
  const failure = error as { authenticationFailed?: boolean; response?: unknown; code?: string; message?: string };
  const server = serverOf(endpoint);
  if (failure.authenticationFailed) return loginRefused(endpoint.login, server, typeof failure.response === 'string' ? failure.response : undefined);
  const detail = [failure.code, failure.message].filter((part) => typeof part === 'string' && part !== '').join(': ');
  return unreachable(server, detail || String(error));
}

/**
 * Opens one authenticated connection, runs `work`, logs out. Every failure on the way (refused
 * login, unreachable server, a stalled greeting or socket) becomes a MSG error; the socket is
 * always closed.
 */
export async function withImapConnection<T>(endpoint: ImapEndpoint, timeouts: ConnectionTimeouts, logger: Logger, work: (client: ImapFlow & RawImap) => Promise<T>): Promise<T> {
  const client = new ImapFlow({
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.secure,
    auth: { user: endpoint.login, pass: endpoint.password },
    tls: { rejectUnauthorized: endpoint.rejectUnauthorized },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: timeouts.connectTimeoutMs,
    greetingTimeout: timeouts.greetingTimeoutMs,
    socketTimeout: timeouts.socketTimeoutMs,
  }) as ImapFlow & RawImap;
  // imapflow reports socket trouble as 'error' events too; unhandled they would end the process.
  client.on('error', (error: Error) => logger.debug({ server: serverOf(endpoint), err: { message: error.message } }, 'IMAP connection error'));
  try {
    await client.connect();
  } catch (error) {
    client.close();
    throw mapImapError(error, endpoint);
  }
  try {
    if (typeof client.exec !== 'function') throw clientUnsupported('this imapflow version has no exec(), which raw commands such as METADATA need');
    return await work(client);
  } catch (error) {
    // Anything not already a MSG error is the connection failing under the command.
    throw mapImapError(error, endpoint);
  } finally {
    await client.logout().catch(() => client.close());
  }
}
