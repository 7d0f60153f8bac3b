import { createVendorSettingsReader, type ConfigService } from '@keel/plugin-sdk';
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
  const { number, httpsUrl, trustedCa } = createVendorSettingsReader(config, PREFIX, (property, detail) => wnsError('PNS-WNS-0005', { property, detail }));
  const channelHosts = config.getList(`${PREFIX}channelHosts`, ['*.notify.windows.com']).map((host) => host.toLowerCase());
  if (channelHosts.length === 0) throw wnsError('PNS-WNS-0005', { property: `${PREFIX}channelHosts`, detail: 'must name at least one host' });
  return {
    tokenUrl: httpsUrl('oauth.tokenUrl', 'https://login.live.com/accesstoken.srf', false),
    channelHosts,
    ca: trustedCa(),
    maxRetries: number('maxRetries', 3, 0),
    retryBaseMillis: number('retryBaseMillis', 500, 1),
    retryMaxMillis: number('retryMaxMillis', 15_000, 1),
    requestTimeoutMillis: number('requestTimeoutMillis', 20_000, 1),
    timeToLiveSeconds: number('timeToLiveSeconds', 86_400, 0),
    maxConnections: number('maxConnections', 16, 1),
  };
}
