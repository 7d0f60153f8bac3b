import type { KeelError } from '@keel/plugin-sdk';
import { wnsError } from './errors.js';

export const WNS_OPTIONS_FILE = 'pns-wns-options.yml';

/** One usable client of pns-wns-options.yml: the app's package SID and client secret. */
export interface WnsClientOptions {
  client: string;
  sid: string;
  secret: string;
}

export interface ParsedWnsOptions {
  clients: Map<string, WnsClientOptions>;
  disabled: string[];
  problems: Map<string, KeelError>;
}

/** Reads `<client>: {enabled, sid, secret}`; a client without both is reported and left out. */
export function parseWnsOptions(raw: unknown): ParsedWnsOptions {
  const parsed: ParsedWnsOptions = { clients: new Map(), disabled: [], problems: new Map() };
  if (raw === undefined || raw === null) return parsed;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    parsed.problems.set('*', wnsError('PNS-WNS-0006', { detail: 'the top level must map client ids to their options' }));
    return parsed;
  }
  for (const [client, value] of Object.entries(raw as Record<string, unknown>)) {
    try {
      const options = parseClient(client, value);
      if (options === undefined) parsed.disabled.push(client);
      else parsed.clients.set(client, options);
    } catch (error) {
      parsed.problems.set(client, error as KeelError);
    }
  }
  return parsed;
}

function parseClient(client: string, value: unknown): WnsClientOptions | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw wnsError('PNS-WNS-0001', { client, detail: 'the options must be a mapping (enabled, sid, secret)' });
  }
  const options = value as Record<string, unknown>;
  const enabled = options['enabled'];
  if (enabled === false || (typeof enabled === 'string' && enabled.trim().toLowerCase() === 'false')) return undefined;
  if (enabled !== undefined && enabled !== null && enabled !== true && !(typeof enabled === 'string' && enabled.trim().toLowerCase() === 'true')) {
    throw wnsError('PNS-WNS-0001', { client, detail: "'enabled' must be true or false" });
  }
  const sid = text(client, options, 'sid');
  const secret = text(client, options, 'secret');
  const missing = [sid ? '' : 'sid', secret ? '' : 'secret'].filter(Boolean);
  if (missing.length > 0) throw wnsError('PNS-WNS-0001', { client, detail: `needs ${missing.join(' and ')} (the package SID and client secret of the app)` });
  return { client, sid: sid!, secret: secret! };
}

function text(client: string, options: Record<string, unknown>, name: string): string | undefined {
  const value = options[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'number') throw wnsError('PNS-WNS-0001', { client, detail: `'${name}' was read as a number that cannot be kept exactly; quote it in the YAML file` });
  throw wnsError('PNS-WNS-0001', { client, detail: `'${name}' must be a text value` });
}
