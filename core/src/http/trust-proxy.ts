import { isIP } from 'node:net';
import type { ConfigService } from '@keel/plugin-sdk';
import { keelError } from '../errors.js';

export const TRUST_PROXY_PROPERTY = 'keel.http.trustProxy';

/** What fastify's `trustProxy` takes: trust nobody, everybody, a number of hops, or these addresses. */
export type TrustProxy = boolean | number | string[];

/**
 * `keel.http.trustProxy`: which peers may set `X-Forwarded-For` / `-Proto` / `-Host`, so that the
 * client address (admin brute-force keys, `/metrics` networks, logs) is the real client's behind a
 * reverse proxy. `false` (default: the connecting peer is the client), `true` (any peer: only when
 * nothing but the proxy can connect), a hop count, or a comma list of addresses and CIDRs
 * (`127.0.0.1, 10.0.0.0/8`), the safe choice.
 */
export function readTrustProxy(config: ConfigService): TrustProxy {
  const raw = config.get(TRUST_PROXY_PROPERTY)?.trim() ?? '';
  const invalid = (expected: string) => keelError('KEEL-CONFIG-VALUE', {
    name: TRUST_PROXY_PROPERTY, source: config.sourceOf(TRUST_PROXY_PROPERTY) ?? 'default', value: raw, expected,
  });
  if (raw === '' || /^false$/i.test(raw)) return false;
  if (/^true$/i.test(raw)) return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of entries) {
    const [address, bits, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 4 ? 32 : 128;
    if (family === 0 || rest.length > 0 || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= maxBits))) {
      throw invalid(`true, false, a hop count, or a comma list of IP addresses and CIDRs ('${entry}' is none of these)`);
    }
  }
  return entries;
}
