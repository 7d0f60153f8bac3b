import type { ConfigService, FailurePolicy } from '@keel/plugin-sdk';

export interface AuthSettings {
  /** Failures counted per login name. */
  perLogin: FailurePolicy;
  /** Failures counted per client address: higher, as many users may share one (NAT, proxies). */
  perAddress: FailurePolicy;
  /** Longer logins or passwords are rejected without asking any authenticator. */
  maxLoginLength: number;
  maxPasswordLength: number;
}

/**
 * Brute-force protection settings. Defaults: from the 3rd failure within 15 minutes answers are
 * delayed 100 ms, 200 ms, 400 ms … (at most 5 s); the 10th failure for a login (50th for an
 * address) locks it out for 5 minutes.
 */
export function readAuthSettings(config: ConfigService): AuthSettings {
  const shared = {
    windowMs: config.getNumber('keel.auth.failureWindowSeconds', 900) * 1000,
    lockoutMs: config.getNumber('keel.auth.lockoutSeconds', 300) * 1000,
    delayAfter: config.getNumber('keel.auth.delayAfter', 3),
    baseDelayMs: config.getNumber('keel.auth.baseDelayMs', 100),
    maxDelayMs: config.getNumber('keel.auth.maxDelayMs', 5000),
  };
  return {
    perLogin: { ...shared, maxFailures: config.getNumber('keel.auth.maxFailures', 10) },
    perAddress: { ...shared, maxFailures: config.getNumber('keel.auth.maxFailuresPerAddress', 50) },
    maxLoginLength: 320,
    maxPasswordLength: 4096,
  };
}
