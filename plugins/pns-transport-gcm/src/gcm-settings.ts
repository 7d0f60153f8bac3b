import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import { briefErrorMessage, type ConfigService } from '@keel/plugin-sdk';
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
  const number = (name: string, fallback: number, min: number): number => {
    const value = config.getNumber(PREFIX + name, fallback);
    if (value < min) throw gcmError('PNS-GCM-0007', { property: PREFIX + name, detail: `must be at least ${min}, is ${value} (${config.sourceOf(PREFIX + name) ?? 'default'})` });
    return value;
  };
  const tokenUrl = config.get(`${PREFIX}oauth.tokenUrl`)?.trim();
  return {
    fcmUrl: httpsUrl(`${PREFIX}url`, config.getString(`${PREFIX}url`, 'https://fcm.googleapis.com'), true),
    tokenUrl: tokenUrl === undefined || tokenUrl === '' ? undefined : httpsUrl(`${PREFIX}oauth.tokenUrl`, tokenUrl, false),
    ca: trustedCa(config),
    maxRetries: number('maxRetries', 3, 0),
    retryBaseMillis: number('retryBaseMillis', 500, 1),
    retryMaxMillis: number('retryMaxMillis', 15_000, 1),
    requestTimeoutMillis: number('requestTimeoutMillis', 20_000, 1),
    timeToLiveSeconds: number('timeToLiveSeconds', 86_400, 0),
    maxConnections: number('maxConnections', 16, 1),
  };
}

/** An https URL; `originOnly` keeps scheme, host and port (paths are appended by the senders). */
export function httpsUrl(property: string, value: string, originOnly: boolean): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw gcmError('PNS-GCM-0007', { property, detail: `'${value}' is not a URL` });
  }
  if (url.protocol !== 'https:') throw gcmError('PNS-GCM-0007', { property, detail: `must be an https URL, is '${value}'` });
  return originOnly ? url.origin : url.href;
}

function trustedCa(config: ConfigService): string[] | undefined {
  const name = `${PREFIX}trustedCaFile`;
  const file = config.get(name)?.trim();
  if (file === undefined || file === '') return undefined;
  const path = isAbsolute(file) ? file : resolve(config.directory, file);
  try {
    return [...rootCertificates, readFileSync(path, 'utf8')];
  } catch (error) {
    throw gcmError('PNS-GCM-0007', { property: name, detail: `${path} cannot be read (${briefErrorMessage(error)})` });
  }
}
