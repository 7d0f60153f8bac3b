import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import { briefErrorMessage, type ConfigService } from '@keel/plugin-sdk';
import { wnsError } from './errors.js';

const PREFIX = 'com.openexchange.pns.transport.wns.';

/** The cascade switch: `<base>[.<client>[.<topic>]]`, default off. */
export const WNS_SWITCH = `${PREFIX}enabled`;

/** Server-wide WNS settings; per-client credentials live in pns-wns-options.yml. */
export interface WnsSettings {
  /** OAuth2 token endpoint (client credentials). */
  tokenUrl: string;
  /**
   * Hosts a channel URI may point at: `*.notify.windows.com` by default. The access token is sent
   * to the channel URI, so a subscription must not be able to aim it anywhere else.
   */
  channelHosts: string[];
  /** Node's roots plus the `trustedCaFile` certificates; undefined = Node's roots. */
  ca: string[] | undefined;
  maxRetries: number;
  retryBaseMillis: number;
  retryMaxMillis: number;
  requestTimeoutMillis: number;
  /** `X-WNS-TTL`: how long WNS keeps a notification for an offline device; 0 = WNS's default. */
  timeToLiveSeconds: number;
  maxConnections: number;
}

export function readWnsSettings(config: ConfigService): WnsSettings {
  const number = (name: string, fallback: number, min: number): number => {
    const value = config.getNumber(PREFIX + name, fallback);
    if (value < min) throw wnsError('PNS-WNS-0005', { property: PREFIX + name, detail: `must be at least ${min}, is ${value} (${config.sourceOf(PREFIX + name) ?? 'default'})` });
    return value;
  };
  const channelHosts = config.getList(`${PREFIX}channelHosts`, ['*.notify.windows.com']).map((host) => host.toLowerCase());
  if (channelHosts.length === 0) throw wnsError('PNS-WNS-0005', { property: `${PREFIX}channelHosts`, detail: 'must name at least one host' });
  return {
    tokenUrl: httpsUrl(`${PREFIX}oauth.tokenUrl`, config.getString(`${PREFIX}oauth.tokenUrl`, 'https://login.live.com/accesstoken.srf')),
    channelHosts,
    ca: trustedCa(config),
    maxRetries: number('maxRetries', 3, 0),
    retryBaseMillis: number('retryBaseMillis', 500, 1),
    retryMaxMillis: number('retryMaxMillis', 15_000, 1),
    requestTimeoutMillis: number('requestTimeoutMillis', 20_000, 1),
    timeToLiveSeconds: number('timeToLiveSeconds', 86_400, 0),
    maxConnections: number('maxConnections', 16, 1),
  };
}

function httpsUrl(property: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw wnsError('PNS-WNS-0005', { property, detail: `'${value}' is not a URL` });
  }
  if (url.protocol !== 'https:') throw wnsError('PNS-WNS-0005', { property, detail: `must be an https URL, is '${value}'` });
  return url.href;
}

function trustedCa(config: ConfigService): string[] | undefined {
  const name = `${PREFIX}trustedCaFile`;
  const file = config.get(name)?.trim();
  if (file === undefined || file === '') return undefined;
  const path = isAbsolute(file) ? file : resolve(config.directory, file);
  try {
    return [...rootCertificates, readFileSync(path, 'utf8')];
  } catch (error) {
    throw wnsError('PNS-WNS-0005', { property: name, detail: `${path} cannot be read (${briefErrorMessage(error)})` });
  }
}
