import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { briefErrorMessage, parseClientOptions, type ClientOptionReader, type ParsedClientOptions } from '@keel/plugin-sdk';
import { gcmError } from './errors.js';

export const GCM_OPTIONS_FILE = 'pns-gcm-options.yml';

/** FCM HTTP v1 credentials: a Google service account allowed to send for the Firebase project. */
export interface ServiceAccount {
  projectId: string;
  clientEmail: string;
  key: KeyObject;
  /** `private_key_id`, sent as the JWT's `kid` when known. */
  keyId: string | undefined;
  /** `token_uri` of the service-account JSON, if any. */
  tokenUri: string | undefined;
}

export type GcmClientOptions =
  | { client: string; api: 'v1'; account: ServiceAccount }
  | { client: string; api: 'legacy'; serverKey: string };

export type ParsedGcmOptions = ParsedClientOptions<GcmClientOptions>;

/**
 * Reads `<client>: {enabled, key | serviceAccount | projectId + clientEmail + privateKey}`.
 * With service-account credentials the client uses the FCM HTTP v1 API (they win when `key` is
 * given too); with only `key` it uses the legacy HTTP API. A client whose credentials are missing
 * or unreadable is reported and left out; the others work. Relative paths: config directory.
 */
export function parseGcmOptions(raw: unknown, configDirectory: string): ParsedGcmOptions {
  return parseClientOptions(raw, {
    optionNames: 'enabled, key or serviceAccount …',
    invalidFile: (detail) => gcmError('PNS-GCM-0008', { detail }),
    invalidClient: (client, detail) => gcmError('PNS-GCM-0003', { client, detail }),
    parseClient: (read) => parseClient(read, configDirectory),
  });
}

function parseClient({ client, text }: ClientOptionReader, configDirectory: string): GcmClientOptions {
  const file = text('serviceAccount');
  const projectId = text('projectId');
  const clientEmail = text('clientEmail');
  const privateKey = text('privateKey');
  if (file !== undefined) return { client, api: 'v1', account: fromJsonFile(client, file, configDirectory, projectId) };
  if (projectId !== undefined || clientEmail !== undefined || privateKey !== undefined) {
    const missing = [projectId ? '' : 'projectId', clientEmail ? '' : 'clientEmail', privateKey ? '' : 'privateKey'].filter(Boolean);
    if (missing.length > 0) throw gcmError('PNS-GCM-0003', { client, detail: `service-account credentials need ${missing.join(', ')} (or 'serviceAccount: <file.json>')` });
    const where = privateKey!.includes('-----BEGIN') ? '(inline privateKey)' : resolvePath(privateKey!, configDirectory);
    let pem: string;
    try {
      pem = where === '(inline privateKey)' ? privateKey! : readFileSync(where, 'utf8');
    } catch (error) {
      throw gcmError('PNS-GCM-0001', { client, path: where, detail: briefErrorMessage(error) }, error);
    }
    return { client, api: 'v1', account: { projectId: projectId!, clientEmail: clientEmail!, key: signingKey(client, pem, where), keyId: undefined, tokenUri: undefined } };
  }
  const serverKey = text('key');
  if (serverKey === undefined) throw gcmError('PNS-GCM-0003', { client, detail: "needs 'serviceAccount' (FCM HTTP v1), 'projectId' + 'clientEmail' + 'privateKey', or the legacy server 'key'" });
  return { client, api: 'legacy', serverKey };
}

/** The JSON Google issues for a service account (`type: service_account`, `project_id`, `client_email`, `private_key` …). */
function fromJsonFile(client: string, file: string, configDirectory: string, projectOverride: string | undefined): ServiceAccount {
  const path = resolvePath(file, configDirectory);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof SyntaxError) throw gcmError('PNS-GCM-0002', { client, path, detail: 'not valid JSON' });
    throw gcmError('PNS-GCM-0001', { client, path, detail: briefErrorMessage(error) }, error);
  }
  const field = (name: string): string | undefined => (typeof json[name] === 'string' && json[name] !== '' ? (json[name] as string) : undefined);
  const projectId = projectOverride ?? field('project_id');
  const clientEmail = field('client_email');
  const privateKey = field('private_key');
  const missing = [projectId ? '' : 'project_id', clientEmail ? '' : 'client_email', privateKey ? '' : 'private_key'].filter(Boolean);
  if (missing.length > 0) throw gcmError('PNS-GCM-0002', { client, path, detail: `missing ${missing.join(', ')}` });
  return { projectId: projectId!, clientEmail: clientEmail!, key: signingKey(client, privateKey!, path), keyId: field('private_key_id'), tokenUri: field('token_uri') };
}

function signingKey(client: string, pem: string, where: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw gcmError('PNS-GCM-0002', { client, path: where, detail: `private key: ${briefErrorMessage(error)}` });
  }
  if (key.asymmetricKeyType !== 'rsa') throw gcmError('PNS-GCM-0002', { client, path: where, detail: `key type ${key.asymmetricKeyType ?? 'unknown'} cannot sign RS256` });
  return key;
}

function resolvePath(path: string, configDirectory: string): string {
  return isAbsolute(path) ? path : resolve(configDirectory, path);
}
