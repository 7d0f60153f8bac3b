import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { ConfigService } from '../contracts/config.js';
import { briefErrorMessage, type KeelError } from '../errors.js';

/**
 * Reads the server-wide settings of a transport that talks to a vendor API (APNs, FCM, WNS …) below
 * one property prefix, turning every bad value into the transport's own error through `invalid`,
 * with the property name and where its value came from.
 */
export interface VendorSettingsReader {
  /** A number of at least `min`. */
  number(name: string, fallback: number, min: number): number;
  /** An https URL; `originOnly` keeps scheme, host and port (callers append the paths). */
  httpsUrl(name: string, fallback: string, originOnly: boolean): string;
  /** The same check for a value that did not come from a property below the prefix. */
  checkHttpsUrl(property: string, value: string, originOnly: boolean): string;
  /**
   * `<prefix>trustedCaFile` (relative to the config directory): Node's root certificates plus the
   * file's, for test servers and TLS-intercepting proxies; undefined (Node's roots) when unset.
   */
  trustedCa(): string[] | undefined;
}

export function createVendorSettingsReader(
  config: ConfigService,
  prefix: string,
  invalid: (property: string, detail: string) => KeelError,
): VendorSettingsReader {
  const checkHttpsUrl = (property: string, value: string, originOnly: boolean): string => {
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      throw invalid(property, `'${value}' is not a URL`);
    }
    if (url.protocol !== 'https:') throw invalid(property, `must be an https URL, is '${value}'`);
    return originOnly ? url.origin : url.href;
  };
  return {
    number(name, fallback, min) {
      const value = config.getNumber(prefix + name, fallback);
      if (value < min) throw invalid(prefix + name, `must be at least ${min}, is ${value} (${config.sourceOf(prefix + name) ?? 'default'})`);
      return value;
    },
    httpsUrl: (name, fallback, originOnly) => checkHttpsUrl(prefix + name, config.getString(prefix + name, fallback), originOnly),
    checkHttpsUrl,
    trustedCa() {
      const name = `${prefix}trustedCaFile`;
      const file = config.get(name)?.trim();
      if (file === undefined || file === '') return undefined;
      const path = isAbsolute(file) ? file : resolve(config.directory, file);
      try {
        return [...rootCertificates, readFileSync(path, 'utf8')];
      } catch (error) {
        throw invalid(name, `${path} cannot be read (${briefErrorMessage(error)})`);
      }
    },
  };
}
