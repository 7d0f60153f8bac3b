import type { ConfigService } from '@keel/plugin-sdk';
import { invalidSetting } from './errors.js';

export type PushMode = 'always' | 'newmail';
export type ClusterLockMode = 'none' | 'local' | 'db' | 'redis';

export interface ImapIdleSettings {
  /** The folder kept in IDLE (`INBOX`). */
  folder: string;
  /** Minimum time of one IDLE cycle: changes arriving within it are fetched together. */
  delayMs: number;
  /** `always`: expunges and flag changes notify too (folder only); `newmail`: only new messages. */
  pushMode: PushMode;
  clusterLock: ClusterLockMode;
  supportsPermanentListeners: boolean;
  /** Connection attempts running at once, so a node start does not open thousands together. */
  maxConcurrentConnects: number;
  /** Connection attempts started per second at most; 0 = no rate limit. */
  connectsPerSecond: number;
  /** First reconnect delay; doubles per failure up to `maxReconnectDelayMs` (with jitter). */
  reconnectDelayMs: number;
  maxReconnectDelayMs: number;
  /** IDLE is ended and re-issued this often (RFC 2177: servers may drop an IDLE after 30 minutes). */
  idleRefreshMs: number;
  /** Bound of connect+login+select and of every command. */
  timeoutMs: number;
  /** Socket inactivity before imapflow probes with NOOP, and closes when that gets no answer. */
  socketTimeoutMs: number;
  /** Fetch the first ~200 characters of the text as `teaser`. */
  teaser: boolean;
  /** Expiry of a cluster lock; it is extended every third of it while the listener runs. */
  lockTtlMs: number;
}

export const PREFIX = 'com.openexchange.push.imapidle.';
/** Re-issue IDLE well within the 29 minutes after which servers may end it. */
const MAX_IDLE_REFRESH_MS = 25 * 60_000;

function number(config: ConfigService, name: string, fallback: number, min: number): number {
  const value = config.getNumber(PREFIX + name, fallback);
  if (!Number.isFinite(value) || value < min) {
    throw invalidSetting(PREFIX + name, String(value), `a whole number >= ${min}`, config.sourceOf(PREFIX + name));
  }
  return value;
}

function oneOf<T extends string>(config: ConfigService, names: readonly string[], allowed: readonly T[], fallback: T): T {
  for (const name of names) {
    const raw = config.get(PREFIX + name);
    if (raw === undefined || raw.trim() === '') continue;
    const value = raw.trim().toLowerCase();
    if (!(allowed as readonly string[]).includes(value)) {
      throw invalidSetting(PREFIX + name, raw, allowed.join(' | '), config.sourceOf(PREFIX + name));
    }
    return value as T;
  }
  return fallback;
}

export function readImapIdleSettings(config: ConfigService): ImapIdleSettings {
  const folder = config.getString(PREFIX + 'folder', 'INBOX').trim() || 'INBOX';
  const reconnectDelayMs = number(config, 'reconnectDelayMillis', 1000, 1);
  const maxReconnectDelayMs = Math.max(reconnectDelayMs, number(config, 'maxReconnectDelayMillis', 300_000, 1));
  const idleRefreshMs = Math.min(MAX_IDLE_REFRESH_MS, number(config, 'idleRefreshMillis', 600_000, 1000));
  return {
    folder,
    delayMs: number(config, 'delay', 5000, 0),
    // The middleware spells it `pushmode`; the reference notes `pushMode`. Both are read.
    pushMode: oneOf(config, ['pushMode', 'pushmode'], ['always', 'newmail'] as const, 'always'),
    clusterLock: oneOf(config, ['clusterLock', 'clusterlock'], ['none', 'local', 'db', 'redis'] as const, 'local'),
    supportsPermanentListeners: config.getBoolean(PREFIX + 'supportsPermanentListeners', false),
    maxConcurrentConnects: number(config, 'maxConcurrentConnects', 8, 1),
    connectsPerSecond: number(config, 'connectsPerSecond', 50, 0),
    reconnectDelayMs,
    maxReconnectDelayMs,
    idleRefreshMs,
    timeoutMs: number(config, 'timeoutMillis', 30_000, 100),
    socketTimeoutMs: number(config, 'socketTimeoutMillis', 180_000, 1000),
    teaser: config.getBoolean(PREFIX + 'teaser', true),
    lockTtlMs: number(config, 'lockTtlMillis', 60_000, 1000),
  };
}
