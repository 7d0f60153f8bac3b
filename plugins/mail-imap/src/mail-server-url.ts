import { badMailServer } from './errors.js';

export interface MailServer { host: string; port: number; secure: boolean }

/**
 * `imap://host:port`, `imaps://host:port`, or a bare `host[:port]` (plain IMAP) as the original
 * property allows; the port defaults to 143 or 993. IPv6 hosts go in brackets.
 */
export function parseMailServer(value: string, source: string): MailServer {
  const text = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `imap://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw badMailServer(`${source}: "${value}" is not a mail server URL (expected imap://host:port or imaps://host:port)`);
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (scheme !== 'imap' && scheme !== 'imaps') throw badMailServer(`${source}: unsupported scheme "${scheme}" in "${value}" (imap or imaps)`);
  if (url.hostname === '') throw badMailServer(`${source}: no host in "${value}"`);
  const secure = scheme === 'imaps';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port === '' ? (secure ? 993 : 143) : Number(url.port), secure };
}

export function describeServer(server: MailServer): string {
  return `${server.secure ? 'imaps' : 'imap'}://${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`;
}
