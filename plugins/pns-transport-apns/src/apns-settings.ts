import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import { briefErrorMessage, type ConfigService } from '@keel/plugin-sdk';
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
  const number = (name: string, fallback: number, min: number): number => {
    const value = config.getNumber(PREFIX + name, fallback);
    if (value < min) throw apnsError('PNS-APNS-0008', { property: PREFIX + name, detail: `must be at least ${min}, is ${value} (${config.sourceOf(PREFIX + name) ?? 'default'})` });
    return value;
  };
  return {
    productionUrl: origin(config, 'url.production', 'https://api.push.apple.com'),
    sandboxUrl: origin(config, 'url.sandbox', 'https://api.sandbox.push.apple.com'),
    ca: trustedCa(config),
    maxRetries: number('maxRetries', 3, 0),
    retryBaseMillis: number('retryBaseMillis', 500, 1),
    retryMaxMillis: number('retryMaxMillis', 15_000, 1),
    requestTimeoutMillis: number('requestTimeoutMillis', 20_000, 1),
    expirationSeconds: number('expirationSeconds', 86_400, 0),
    maxConcurrentStreams: number('maxConcurrentStreams', 500, 1),
    idleTimeoutMillis: number('idleTimeoutMillis', 600_000, 1),
  };
}

function origin(config: ConfigService, name: string, fallback: string): string {
  const value = config.getString(PREFIX + name, fallback).trim();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw apnsError('PNS-APNS-0008', { property: PREFIX + name, detail: `'${value}' is not a URL` });
  }
  if (url.protocol !== 'https:') throw apnsError('PNS-APNS-0008', { property: PREFIX + name, detail: `must be an https URL, is '${value}'` });
  return url.origin;
}

function trustedCa(config: ConfigService): string[] | undefined {
  const name = `${PREFIX}trustedCaFile`;
  const file = config.get(name)?.trim();
  if (file === undefined || file === '') return undefined;
  const path = isAbsolute(file) ? file : resolve(config.directory, file);
  try {
    return [...rootCertificates, readFileSync(path, 'utf8')];
  } catch (error) {
    throw apnsError('PNS-APNS-0008', { property: name, detail: `${path} cannot be read (${briefErrorMessage(error)})` });
  }
}
