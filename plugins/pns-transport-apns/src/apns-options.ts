import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { briefErrorMessage, type KeelError } from '@keel/plugin-sdk';
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

export interface ParsedApnsOptions {
  clients: Map<string, ApnsClientOptions>;
  /** Clients switched off by `enabled: false`. */
  disabled: string[];
  /** Clients that cannot work, with the reason (logged at start). */
  problems: Map<string, KeelError>;
}

/**
 * Reads the per-client options:
 * `<client>: {enabled, keystore | keystoreId, password, production, topic, authtype, privatekey, keyid, teamid}`.
 * A client whose keystore or key is missing or unreadable is reported and left out; the others work.
 * Relative paths are resolved against the config directory; `keystoreId: x` means `<config>/keystores/x.p12`.
 */
export function parseApnsOptions(raw: unknown, configDirectory: string): ParsedApnsOptions {
  const parsed: ParsedApnsOptions = { clients: new Map(), disabled: [], problems: new Map() };
  if (raw === undefined || raw === null) return parsed;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    parsed.problems.set('*', apnsError('PNS-APNS-0009', { detail: 'the top level must map client ids to their options' }));
    return parsed;
  }
  for (const [client, value] of Object.entries(raw as Record<string, unknown>)) {
    try {
      const options = parseClient(client, value, configDirectory);
      if (options === undefined) parsed.disabled.push(client);
      else parsed.clients.set(client, options);
    } catch (error) {
      parsed.problems.set(client, error as KeelError);
    }
  }
  return parsed;
}

function parseClient(client: string, value: unknown, configDirectory: string): ApnsClientOptions | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw apnsError('PNS-APNS-0004', { client, detail: 'the options must be a mapping (enabled, keystore, password, production, topic …)' });
  }
  const options = value as Record<string, unknown>;
  if (!flag(client, options, 'enabled', true)) return undefined;
  const production = flag(client, options, 'production', true);
  const topic = text(client, options, 'topic');
  const authType = (text(client, options, 'authtype') ?? 'certificate').toLowerCase();
  if (authType === 'jwt') {
    const keyId = text(client, options, 'keyid');
    const teamId = text(client, options, 'teamid');
    const privateKey = text(client, options, 'privatekey');
    const missing = [privateKey ? '' : 'privatekey', keyId ? '' : 'keyid', teamId ? '' : 'teamid', topic ? '' : 'topic'].filter(Boolean);
    if (missing.length > 0) throw apnsError('PNS-APNS-0004', { client, detail: `token authentication (authtype: jwt) needs ${missing.join(', ')}` });
    return { client, production, topic, auth: { type: 'jwt', key: loadSigningKey(client, privateKey!, configDirectory), keyId: keyId!, teamId: teamId! } };
  }
  if (authType !== 'certificate') throw apnsError('PNS-APNS-0004', { client, detail: `authtype must be 'certificate' or 'jwt', is '${authType}'` });
  const keystore = keystorePath(client, options, configDirectory);
  const passphrase = text(client, options, 'password') ?? '';
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

function keystorePath(client: string, options: Record<string, unknown>, configDirectory: string): string {
  const path = text(client, options, 'keystore');
  if (path !== undefined) return isAbsolute(path) ? path : resolve(configDirectory, path);
  const id = text(client, options, 'keystoreId');
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

function flag(client: string, options: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const value = options[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw apnsError('PNS-APNS-0004', { client, detail: `'${name}' must be true or false` });
}

/** Strings as given; YAML numbers (an unquoted password `12345678`) as their text, if that text is exact. */
function text(client: string, options: Record<string, unknown>, name: string): string | undefined {
  const value = options[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'number') throw apnsError('PNS-APNS-0004', { client, detail: `'${name}' was read as a number that cannot be kept exactly; quote it in the YAML file` });
  throw apnsError('PNS-APNS-0004', { client, detail: `'${name}' must be a text value` });
}
