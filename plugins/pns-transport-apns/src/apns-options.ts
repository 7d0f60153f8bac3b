import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { briefErrorMessage, parseClientOptions, type ClientOptionReader, type ParsedClientOptions } from '@keel/plugin-sdk';
import { apnsError } from './errors.js';

export const APNS_OPTIONS_FILE = 'pns-apns-options.yml';

export type ApnsAuth =
  | { type: 'certificate'; pfx: Buffer; passphrase: string; keystore: string }
  | { type: 'jwt'; key: KeyObject; keyId: string; teamId: string };

/** One usable client of `pns-apns-options.yml`, its keystore or key already loaded and checked. */
export interface ApnsClientOptions {
  client: string;
  production: boolean;
  /** `apns-topic`, typically the app's bundle id; required for token auth. */
  topic: string | undefined;
  auth: ApnsAuth;
}

export type ParsedApnsOptions = ParsedClientOptions<ApnsClientOptions>;

/**
 * Reads the per-client options:
 * `<client>: {enabled, keystore | keystoreId, password, production, topic, authtype, privatekey, keyid, teamid}`.
 * A client whose keystore or key is missing or unreadable is reported and left out; the others work.
 * Relative paths are resolved against the config directory; `keystoreId: x` means `<config>/keystores/x.p12`.
 */
export function parseApnsOptions(raw: unknown, configDirectory: string): ParsedApnsOptions {
  return parseClientOptions(raw, {
    optionNames: 'enabled, keystore, password, production, topic …',
    invalidFile: (detail) => apnsError('PNS-APNS-0009', { detail }),
    invalidClient: (client, detail) => apnsError('PNS-APNS-0004', { client, detail }),
    parseClient: (read) => parseClient(read, configDirectory),
  });
}

function parseClient(read: ClientOptionReader, configDirectory: string): ApnsClientOptions {
  const { client, flag, text } = read;
  const production = flag('production', true);
  const topic = text('topic');
  const authType = (text('authtype') ?? 'certificate').toLowerCase();
  if (authType === 'jwt') {
    const keyId = text('keyid');
    const teamId = text('teamid');
    const privateKey = text('privatekey');
    const missing = [privateKey ? '' : 'privatekey', keyId ? '' : 'keyid', teamId ? '' : 'teamid', topic ? '' : 'topic'].filter(Boolean);
    if (missing.length > 0) throw apnsError('PNS-APNS-0004', { client, detail: `token authentication (authtype: jwt) needs ${missing.join(', ')}` });
    return { client, production, topic, auth: { type: 'jwt', key: loadSigningKey(client, privateKey!, configDirectory), keyId: keyId!, teamId: teamId! } };
  }
  if (authType !== 'certificate') throw apnsError('PNS-APNS-0004', { client, detail: `authtype must be 'certificate' or 'jwt', is '${authType}'` });
  const keystore = keystorePath(read, configDirectory);
  const passphrase = text('password', { trim: false }) ?? '';
  let pfx: Buffer;
  try {
    pfx = readFileSync(keystore);
  } catch (error) {
    throw apnsError('PNS-APNS-0001', { client, path: keystore, detail: briefErrorMessage(error) }, error);
  }
  try {
    // Opens the PKCS#12 now, so a wrong password shows at start and not at the first push.
    createSecureContext({ pfx, passphrase });
  } catch (error) {
    throw apnsError('PNS-APNS-0002', { client, path: keystore, detail: briefErrorMessage(error) });
  }
  return { client, production, topic, auth: { type: 'certificate', pfx, passphrase, keystore } };
}

function keystorePath({ client, text }: ClientOptionReader, configDirectory: string): string {
  const path = text('keystore');
  if (path !== undefined) return isAbsolute(path) ? path : resolve(configDirectory, path);
  const id = text('keystoreId');
  if (id === undefined) throw apnsError('PNS-APNS-0004', { client, detail: "certificate authentication needs 'keystore' (a PKCS#12 file) or 'keystoreId'" });
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(id)) throw apnsError('PNS-APNS-0004', { client, detail: `keystoreId '${id}' may only contain letters, digits, '.', '_' and '-'` });
  return join(configDirectory, 'keystores', `${id}.p12`);
}

/** `privatekey` is the PEM text itself or the path of the .p8 file. */
function loadSigningKey(client: string, privateKey: string, configDirectory: string): KeyObject {
  const inline = privateKey.includes('-----BEGIN');
  const where = inline ? '(inline PEM)' : isAbsolute(privateKey) ? privateKey : resolve(configDirectory, privateKey);
  let pem: string;
  try {
    pem = inline ? privateKey : readFileSync(where, 'utf8');
  } catch (error) {
    throw apnsError('PNS-APNS-0003', { client, path: where, detail: briefErrorMessage(error) }, error);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw apnsError('PNS-APNS-0003', { client, path: where, detail: briefErrorMessage(error) });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    const kind = [key.asymmetricKeyType ?? 'unknown', key.asymmetricKeyDetails?.namedCurve].filter(Boolean).join(' ');
    throw apnsError('PNS-APNS-0003', { client, path: where, detail: `key type ${kind} cannot sign ES256` });
  }
  return key;
}
