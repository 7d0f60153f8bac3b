import type { ConfigService } from '@keel/plugin-sdk';
import { parseDuration } from './duration.js';
import { invalidDuration } from './errors.js';

export interface SessionSettings {
  /** A session unused this long is removed (reason `idle`). */
  idleTimeoutMs: number;
  /** A session older than this is removed however active it is (reason `expired`). */
  maxLifetimeMs: number;
  /** 0: unlimited. Beyond it the oldest sessions of the user are removed (reason `evicted`). */
  maxSessionsPerUser: number;
  sweepIntervalMs: number;
  /** Mark the secret cookie `Secure` (also done for requests that arrived as HTTPS behind a proxy). */
  secureCookie: boolean;
  /** Client id when the login request names none. */
  defaultClient: string;
}

export const IDLE_PROPERTY = 'com.openexchange.sessiond.sessionDefaultLifeTime';
export const MAX_LIFETIME_PROPERTIES = ['keel.sessions.maxLifetime', 'com.openexchange.sessiond.sessionLongLifeTime'] as const;
export const MAX_PER_USER_PROPERTY = 'com.openexchange.sessiond.maxSessionPerUser';

function duration(config: ConfigService, names: readonly string[], fallback: number): number {
  for (const name of names) {
    const raw = config.get(name);
    if (raw === undefined || raw.trim() === '') continue;
    const parsed = parseDuration(raw);
    if (parsed === undefined || parsed <= 0) throw invalidDuration(name, raw, config.sourceOf(name));
    return parsed;
  }
  return fallback;
}

export function readSessionSettings(config: ConfigService): SessionSettings {
  const idleTimeoutMs = duration(config, [IDLE_PROPERTY], 3_600_000);
  const maxLifetimeMs = duration(config, MAX_LIFETIME_PROPERTIES, 7 * 86_400_000);
  // Sweep often enough that an idle session lives at most ~25% past its timeout, but at most once a minute.
  const sweepFallback = Math.min(60_000, Math.max(10, Math.floor(Math.min(idleTimeoutMs, maxLifetimeMs) / 4)));
  return {
    idleTimeoutMs,
    maxLifetimeMs,
    maxSessionsPerUser: Math.max(0, config.getNumber(MAX_PER_USER_PROPERTY, 100)),
    sweepIntervalMs: duration(config, ['keel.sessions.sweepInterval'], sweepFallback),
    secureCookie: config.getBoolean('keel.sessions.secureCookie', false),
    defaultClient: config.getString('keel.sessions.defaultClient', 'open-xchange-appsuite'),
  };
}
