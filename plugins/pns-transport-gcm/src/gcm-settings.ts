import { createVendorSettingsReader, type ConfigService } from '@keel/plugin-sdk';
import { gcmError } from './errors.js';

const PREFIX = 'com.openexchange.pns.transport.gcm.';

/** The cascade switch: `<base>[.<client>[.<topic>]]`, default off. */
export const GCM_SWITCH = `${PREFIX}enabled`;

/** Server-wide FCM settings; per-client credentials live in pns-gcm-options.yml. */
export interface GcmSettings {
  /** Origin of FCM: `<url>/v1/projects/<id>/messages:send` (HTTP v1) and `<url>/fcm/send` (legacy). */
  fcmUrl: string;
  /** OAuth2 token endpoint; undefined = the service account's `token_uri`, else Google's. */
  tokenUrl: string | undefined;
  /** Node's roots plus the `trustedCaFile` certificates; undefined = Node's roots. */
  ca: string[] | undefined;
  maxRetries: number;
  retryBaseMillis: number;
  retryMaxMillis: number;
  requestTimeoutMillis: number;
  /** How long FCM keeps a message for an offline device. */
  timeToLiveSeconds: number;
  /** Sockets per endpoint (keep-alive). */
  maxConnections: number;
}

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export function readGcmSettings(config: ConfigService): GcmSettings {
  const { number, httpsUrl, checkHttpsUrl, trustedCa } = createVendorSettingsReader(config, PREFIX, (property, detail) => gcmError('PNS-GCM-0007', { property, detail }));
  const tokenUrl = config.get(`${PREFIX}oauth.tokenUrl`)?.trim();
  return {
    fcmUrl: httpsUrl('url', 'https://fcm.googleapis.com', true),
    tokenUrl: tokenUrl === undefined || tokenUrl === '' ? undefined : checkHttpsUrl(`${PREFIX}oauth.tokenUrl`, tokenUrl, false),
    ca: trustedCa(),
    maxRetries: number('maxRetries', 3, 0),
    retryBaseMillis: number('retryBaseMillis', 500, 1),
    retryMaxMillis: number('retryMaxMillis', 15_000, 1),
    requestTimeoutMillis: number('requestTimeoutMillis', 20_000, 1),
    timeToLiveSeconds: number('timeToLiveSeconds', 86_400, 0),
    maxConnections: number('maxConnections', 16, 1),
  };
}
