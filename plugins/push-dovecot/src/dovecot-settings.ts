import type { ConfigService } from '@keel/plugin-sdk';

export const ENABLED_PROPERTY = 'com.openexchange.push.dovecot.enabled';
export const METADATA_KEY = '/private/vendor/vendor.dovecot/http-notify';

export interface DovecotSettings {
  /** Largest notify body accepted (413 above). Dovecot's are well under 1 KiB plus the snippet. */
  maxBodyBytes: number;
  /** Notifications routed at once, and how many may wait. */
  routingConcurrency: number;
  maxQueued: number;
  /** Retries of a METADATA registration that failed for want of a reachable server. */
  registerRetries: number;
  registerRetryDelayMs: number;
  /** How long a resolved `user` value is remembered (0: not at all). */
  userCacheTtlMs: number;
}

export function readDovecotSettings(config: ConfigService): DovecotSettings {
  return {
    maxBodyBytes: Math.max(1024, config.getNumber('keel.push.dovecot.maxBodyBytes', 64 * 1024)),
    routingConcurrency: Math.max(1, config.getNumber('keel.push.dovecot.routingConcurrency', 16)),
    maxQueued: Math.max(1, config.getNumber('keel.push.dovecot.maxQueued', 10_000)),
    registerRetries: Math.max(0, config.getNumber('keel.push.dovecot.registerRetries', 3)),
    registerRetryDelayMs: Math.max(1, config.getNumber('keel.push.dovecot.registerRetryDelay', 2000)),
    userCacheTtlMs: Math.max(0, config.getNumber('keel.push.dovecot.userCacheTtl', 30_000)),
  };
}
