import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ConfigCascade, ContextService, SessionService } from '@keel/plugin-sdk';
import { contextDisabled, invalidConnectionId, websocketsDisabled } from './errors.js';
import { parseCookies } from './parse-cookies.js';
import type { SocketSlot, UserSockets } from './user-sockets.js';

export const ENABLED_PROPERTY = 'com.openexchange.websockets.enabled';
export const MAX_SOCKETS_PROPERTY = 'com.openexchange.websockets.maxSocketsPerUser';
export const DEFAULT_MAX_SOCKETS = 8;

/** What the Engine.IO handshake request carried. */
export interface Handshake {
  query: Readonly<Record<string, unknown>>;
  headers: IncomingHttpHeaders;
}

/** Who a socket belongs to, and its reserved place among the user's sockets. */
export interface SocketIdentity {
  sessionId: string;
  contextId: number;
  userId: number;
  connectionId: string;
  slot: SocketSlot;
}

export interface HandshakeChecks {
  sessions: SessionService;
  cascade: ConfigCascade;
  /** Present when a directory bundle runs: disabled contexts are refused. */
  contexts: () => ContextService | undefined;
  sockets: UserSockets;
}

const CONNECTION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The App Suite handshake: `session` query parameter plus the secret cookie, context enabled,
 * `com.openexchange.websockets.enabled` for the user, a connection id unique among the user's
 * sockets, and at most `maxSocketsPerUser` sockets. Throws the KeelError the client will see.
 */
export async function authenticateHandshake(checks: HandshakeChecks, handshake: Handshake): Promise<SocketIdentity> {
  const connection = firstString(handshake.query['connection']);
  if (connection !== undefined && !CONNECTION_ID.test(connection)) throw invalidConnectionId();

  const session = await checks.sessions.validate(firstString(handshake.query['session']), parseCookies(handshake.headers.cookie));
  const { contextId, userId } = session;
  const context = await checks.contexts()?.get(contextId);
  if (context !== undefined && !context.enabled) throw contextDisabled(contextId);

  const view = await checks.cascade.view({ contextId, userId });
  if (!view.getBoolean(ENABLED_PROPERTY, true)) throw websocketsDisabled(contextId, userId);
  const max = view.getNumber(MAX_SOCKETS_PROPERTY, DEFAULT_MAX_SOCKETS);

  // Synchronous from here on: the check and the reservation cannot interleave with another handshake.
  const connectionId = connection ?? randomUUID();
  const slot = checks.sockets.reserve(contextId, userId, connectionId, max);
  return { sessionId: session.sessionId, contextId, userId, connectionId, slot };
}

function firstString(value: unknown): string | undefined {
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}
