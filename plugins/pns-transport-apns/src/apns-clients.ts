import type { SecureClientSessionOptions } from 'node:http2';
import { createApnsConnection, type ApnsConnection } from './apns-connection.js';
import type { ApnsClientOptions } from './apns-options.js';
import type { ApnsSettings } from './apns-settings.js';
import { createProviderToken, type ProviderToken } from './provider-token.js';

/** A configured client ready to push: its options, its one connection and, for token auth, its JWT. */
export interface ApnsClient {
  readonly options: ApnsClientOptions;
  readonly connection: ApnsConnection;
  readonly providerToken: ProviderToken | undefined;
}

export function createApnsClient(options: ApnsClientOptions, settings: ApnsSettings, onSessionError: (client: string, error: Error) => void): ApnsClient {
  const tls: SecureClientSessionOptions = {};
  if (settings.ca !== undefined) tls.ca = settings.ca;
  if (options.auth.type === 'certificate') {
    tls.pfx = options.auth.pfx;
    tls.passphrase = options.auth.passphrase;
  }
  const connection = createApnsConnection({
    origin: options.production ? settings.productionUrl : settings.sandboxUrl,
    tls,
    requestTimeoutMillis: settings.requestTimeoutMillis,
    maxConcurrentStreams: settings.maxConcurrentStreams,
    idleTimeoutMillis: settings.idleTimeoutMillis,
    reconnectCooldownMillis: settings.retryBaseMillis,
    onSessionError: (error) => onSessionError(options.client, error),
  });
  const providerToken = options.auth.type === 'jwt'
    ? createProviderToken({ key: options.auth.key, keyId: options.auth.keyId, teamId: options.auth.teamId })
    : undefined;
  return { options, connection, providerToken };
}
