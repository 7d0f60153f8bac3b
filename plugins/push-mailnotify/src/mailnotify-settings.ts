import type { ConfigService } from '@keel/plugin-sdk';
import { invalidSetting } from './errors.js';

export const PREFIX = 'com.openexchange.push.mail.notify.';

export interface MailNotifySettings {
  /** Address (or host name) to bind; with `multicast` the multicast group to join. */
  host: string;
  /** UDP port; 0 picks a free one (tests). */
  port: number;
  multicast: boolean;
  /** Local interface address for the multicast membership (our addition; default: the system's choice). */
  multicastInterface: string | undefined;
  /** The packet's user is cut at the first occurrence of this (e.g. `@` for `user@domain` logins). */
  loginDelimiter: string | undefined;
  /** Also match the Keel login (and `login@<context mapping>`), not only mail addresses. */
  useOxLogin: boolean;
  /** Match whole mail addresses instead of their local parts (multi-domain setups). */
  useFullEmailAddress: boolean;
  /** Packets for one user within this window become one notification. */
  delayMs: number;
}

export function readMailNotifySettings(config: ConfigService): MailNotifySettings {
  const port = config.getNumber(PREFIX + 'udp_listen_port', 23420);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw invalidSetting(PREFIX + 'udp_listen_port', String(port), 'a port number 0-65535', config.sourceOf(PREFIX + 'udp_listen_port'));
  }
  const delayMs = config.getNumber(PREFIX + 'delay_millis', 5000);
  if (delayMs < 0) throw invalidSetting(PREFIX + 'delay_millis', String(delayMs), 'milliseconds >= 0', config.sourceOf(PREFIX + 'delay_millis'));
  const delimiter = config.get(PREFIX + 'imap_login_delimiter');
  const multicastInterface = config.get(PREFIX + 'udp_listen_multicast_interface')?.trim();
  return {
    host: config.getString(PREFIX + 'udp_listen_host', 'localhost').trim() || 'localhost',
    port,
    multicast: config.getBoolean(PREFIX + 'udp_listen_multicast', false),
    multicastInterface: multicastInterface ? multicastInterface : undefined,
    // A delimiter is taken literally (no trimming: a space could be one).
    loginDelimiter: delimiter === undefined || delimiter === '' ? undefined : delimiter,
    useOxLogin: config.getBoolean(PREFIX + 'use_ox_login', false),
    useFullEmailAddress: config.getBoolean(PREFIX + 'use_full_email_address', false),
    delayMs,
  };
}
