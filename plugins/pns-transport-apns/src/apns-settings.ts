import { createVendorSettingsReader, type ConfigService } from '@keel/plugin-sdk';
import { apnsError } from './errors.js';

const PREFIX = 'com.openexchange.pns.transport.apn.ios.';

/** The cascade switch: `<base>[.<client>[.<topic>]]`, default off. */
export const APNS_SWITCH = `${PREFIX}enabled`;

/** Server-wide APNs settings (`pns.properties` or any `*.properties`); per-client options live in the YAML file. */
export interface ApnsSettings {
  /** Origins (`https://host[:port]`) of the production and the sandbox service. */
  productionUrl: string;
  sandboxUrl: string;
  /** Trusted CA certificates when `trustedCaFile` is set (Node's roots plus the file's); undefined = Node's roots. */
  ca: string[] | undefined;
  /** Retries after the first attempt for 429, 5xx and broken connections. */
  maxRetries: number;
  retryBaseMillis: number;
  retryMaxMillis: number;
  requestTimeoutMillis: number;
  /** `apns-expiration` = now + this many seconds; 0 = deliver once or never. */
  expirationSeconds: number;
  /** Upper bound of concurrent streams per connection (the server's SETTINGS may lower it). */
  maxConcurrentStreams: number;
  /** An idle connection is closed after this long, and opened again on the next push. */
  idleTimeoutMillis: number;
}

export function readApnsSettings(config: ConfigService): ApnsSettings {
  const { number, httpsUrl, trustedCa } = createVendorSettingsReader(config, PREFIX, (property, detail) => apnsError('PNS-APNS-0008', { property, detail }));
  return {
    productionUrl: httpsUrl('url.production', 'https://api.push.apple.com', true),
    sandboxUrl: httpsUrl('url.sandbox', 'https://api.sandbox.push.apple.com', true),
    ca: trustedCa(),
    maxRetries: number('maxRetries', 3, 0),
    retryBaseMillis: number('retryBaseMillis', 500, 1),
    retryMaxMillis: number('retryMaxMillis', 15_000, 1),
    requestTimeoutMillis: number('requestTimeoutMillis', 20_000, 1),
    expirationSeconds: number('expirationSeconds', 86_400, 0),
    maxConcurrentStreams: number('maxConcurrentStreams', 500, 1),
    idleTimeoutMillis: number('idleTimeoutMillis', 600_000, 1),
  };
}
