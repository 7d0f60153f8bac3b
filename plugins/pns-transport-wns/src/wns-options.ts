import { parseClientOptions, type ParsedClientOptions } from '@keel/plugin-sdk';
import { wnsError } from './errors.js';

export const WNS_OPTIONS_FILE = 'pns-wns-options.yml';

/** One usable client of pns-wns-options.yml: the app's package SID and client secret. */
export interface WnsClientOptions {
  client: string;
  sid: string;
  secret: string;
}

export type ParsedWnsOptions = ParsedClientOptions<WnsClientOptions>;

/** Reads `<client>: {enabled, sid, secret}`; a client without both is reported and left out. */
export function parseWnsOptions(raw: unknown): ParsedWnsOptions {
  return parseClientOptions(raw, {
    optionNames: 'enabled, sid, secret',
    invalidFile: (detail) => wnsError('PNS-WNS-0006', { detail }),
    invalidClient: (client, detail) => wnsError('PNS-WNS-0001', { client, detail }),
    parseClient({ client, text }) {
      const sid = text('sid');
      const secret = text('secret');
      const missing = [sid ? '' : 'sid', secret ? '' : 'secret'].filter(Boolean);
      if (missing.length > 0) throw wnsError('PNS-WNS-0001', { client, detail: `needs ${missing.join(' and ')} (the package SID and client secret of the app)` });
      return { client, sid: sid!, secret: secret! };
    },
  });
}
