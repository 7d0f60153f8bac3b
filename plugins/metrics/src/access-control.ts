import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { ConfigService, HttpRequest } from '@keel/plugin-sdk';
import { addressNotAllowed, invalidSetting, metricsAuthRequired } from './errors.js';

export const ALLOWED_NETWORKS_PROPERTY = 'keel.metrics.allowedNetworks';
export const LOGIN_PROPERTY = 'keel.metrics.login';
export const PASSWORD_PROPERTY = 'keel.metrics.password';
export const DEFAULT_ALLOWED_NETWORKS: readonly string[] = ['127.0.0.0/8', '::1'];

export interface AccessSettings {
  /** The addresses and ranges that may scrape. */
  readonly networks: BlockList;
  /** HTTP Basic credentials every scrape must carry, when configured. */
  readonly credentials: { readonly login: string; readonly password: string } | undefined;
}

/** Reads the access properties; throws naming the property and its file when one is unusable. */
export function readAccessSettings(config: ConfigService): AccessSettings {
  const networks = parseNetworks(config.getList(ALLOWED_NETWORKS_PROPERTY, DEFAULT_ALLOWED_NETWORKS), config.sourceOf(ALLOWED_NETWORKS_PROPERTY));
  const value = (name: string) => {
    const raw = config.get(name);
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const login = value(LOGIN_PROPERTY);
  const password = value(PASSWORD_PROPERTY);
  if ((login === undefined) !== (password === undefined)) {
    const [set, unset] = login === undefined ? [PASSWORD_PROPERTY, LOGIN_PROPERTY] : [LOGIN_PROPERTY, PASSWORD_PROPERTY];
    throw invalidSetting(set, config.sourceOf(set), `set without ${unset}; set both to require HTTP Basic authentication, or neither`);
  }
  return { networks, credentials: login !== undefined && password !== undefined ? { login, password } : undefined };
}

/** `10.0.0.0/8`, `fd00::/8`, `192.0.2.7`, `::1`: each an address or a CIDR range. */
export function parseNetworks(entries: readonly string[], source?: string): BlockList {
  const networks = new BlockList();
  for (const entry of entries) {
    const [address = '', bitsText, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefix = bitsText === undefined ? bits : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : Number.NaN;
    if (family === 0 || extra !== undefined || !(prefix <= bits)) {
      throw invalidSetting(ALLOWED_NETWORKS_PROPERTY, source, `'${entry}' is neither an IP address nor a CIDR range such as 10.0.0.0/8 or fd00::/8`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bitsText === undefined) networks.addAddress(address, type);
    else networks.addSubnet(address, prefix, type);
  }
  return networks;
}

/** Whether an address is in the allowed networks; an IPv4 client of a dual-stack socket (`::ffff:10.1.2.3`) counts as IPv4. */
export function isAllowedAddress(networks: BlockList, address: string): boolean {
  const unmapped = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  const family = isIP(unmapped);
  if (family === 0) return false;
  return networks.check(unmapped, family === 4 ? 'ipv4' : 'ipv6');
}

/** `Authorization: Basic base64(login:password)`; the password may contain colons. */
export function parseBasic(header: string | string[] | undefined): { login: string; password: string } | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Who may read `/metrics`: the client address (as fastify derives it, honouring `trustProxy` behind a
 * reverse proxy) must be allowed, then the Basic credentials must match when they are configured.
 * Both values are compared as HMACs under a per-process key, so the comparison takes the same time
 * whatever the input.
 */
export function createAccessGuard(settings: () => AccessSettings): { verify(request: HttpRequest): void } {
  const key = randomBytes(32);
  const mac = (value: string) => createHmac('sha256', key).update(value).digest();
  return {
    verify(request) {
      const { networks, credentials } = settings();
      if (!isAllowedAddress(networks, request.ip)) throw addressNotAllowed(request.ip);
      if (credentials === undefined) return;
      const given = parseBasic(request.headers['authorization']);
      if (given === undefined) throw metricsAuthRequired('send the metrics login and password with HTTP Basic authentication');
      const loginMatches = timingSafeEqual(mac(given.login), mac(credentials.login));
      const passwordMatches = timingSafeEqual(mac(given.password), mac(credentials.password));
      if (!(loginMatches && passwordMatches)) throw metricsAuthRequired('wrong login or password');
    },
  };
}
