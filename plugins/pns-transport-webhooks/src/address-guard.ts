// Keeps webhooks away from the machine's own network: loopback, private, link-local and
// unique-local targets are refused after DNS resolution (and on every redirect) unless allowed.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { TargetRefusedError } from './errors.js';

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['fe80::', 10], ['fec0::', 10], ['fc00::', 7], ['ff00::', 8], ['2001:db8::', 32], ['100::', 64],
] as const) blocked.addSubnet(network, prefix, 'ipv6');

/** The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible or NAT64 IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const match = /^(?:::ffff:(?:0:)?|::|64:ff9b::)(.+)$/.exec(lower);
  if (match === null) return undefined;
  const rest = match[1]!;
  if (isIP(rest) === 4) return rest;
  const groups = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(rest);
  if (groups === null) return undefined;
  const high = parseInt(groups[1]!, 16);
  const low = parseInt(groups[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Whether an IP address is on the public internet (not loopback, private, link-local, unique-local, reserved). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !blocked.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 !== undefined) return !blocked.check(v4, 'ipv4');
    return !blocked.check(address, 'ipv6');
  }
  return false;
}

/** Checks scheme and, for IP literals, the address; host names are checked when they resolve ({@link guardedLookup}). */
export function checkTarget(url: URL, options: { httpsOnly: boolean; allowLocal: boolean }): void {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TargetRefusedError(`scheme '${url.protocol}' is not http or https`);
  if (options.httpsOnly && url.protocol !== 'https:') throw new TargetRefusedError('only https URIs are allowed (com.openexchange.pns.transport.webhooks.httpsOnly)');
  if (options.allowLocal) return;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host) !== 0 && !isPublicAddress(host)) {
    throw new TargetRefusedError(`${host} is a loopback, private or link-local address (com.openexchange.pns.transport.webhooks.allowLocalWebhooks)`);
  }
}

/**
 * A `lookup` for http(s).request that refuses host names resolving to any non-public address. The
 * connection then uses exactly the addresses that were checked, so a second, different DNS answer
 * cannot slip a local address in.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) {
      callback(error, '', 0);
      return;
    }
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused !== undefined) {
      const failure = new TargetRefusedError(`${hostname} resolves to ${refused.address}, a loopback, private or link-local address (com.openexchange.pns.transport.webhooks.allowLocalWebhooks)`);
      callback(failure as NodeJS.ErrnoException, '', 0);
      return;
    }
    if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

/** Resolves a host name up front (subscribe-time check) and refuses non-public answers. */
export function resolvePublic(hostname: string): Promise<void> {
  return new Promise((resolve, reject) => {
    guardedLookup(hostname, { all: true }, (error) => (error ? reject(error) : resolve()));
  });
}
