import { wnsError } from './errors.js';

/**
 * Checks a subscription's channel URI before anything is sent to it: https, and a host allowed by
 * `channelHosts` (`*.notify.windows.com`: any subdomain; otherwise the exact host). The bearer
 * token goes to this URI, so it must not be a place of the subscriber's choosing.
 * Returns the URL, or throws PNS-WNS-0007 (400) saying what is wrong without echoing the URI's token.
 */
export function checkChannelUri(uri: string, allowedHosts: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw wnsError('PNS-WNS-0007', { detail: 'is not a URL' });
  }
  if (url.protocol !== 'https:') throw wnsError('PNS-WNS-0007', { detail: `must use https, not ${url.protocol.replace(':', '')}` });
  if (url.username !== '' || url.password !== '') throw wnsError('PNS-WNS-0007', { detail: 'must not carry credentials' });
  const host = url.hostname.toLowerCase();
  const allowed = allowedHosts.some((pattern) => (pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1 : host === pattern));
  if (!allowed) throw wnsError('PNS-WNS-0007', { detail: `host ${host} is not a WNS host (allowed: ${allowedHosts.join(', ')})` });
  return url;
}

/** The host and a hint of the channel, for logs: never the channel token in the query. */
export function channelLabel(uri: string): string {
  try {
    return `${new URL(uri).host}/…`;
  } catch {
    return '(not a URL)';
  }
}
