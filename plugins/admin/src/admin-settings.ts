import type { ConfigService, FailurePolicy } from '@keel/plugin-sdk';

export const DEFAULT_MASTER_LOGIN = 'oxadminmaster';

export interface AdminSettings {
  login: string;
  failures: FailurePolicy;
}

/** Properties of the admin bundle, with defaults that need no configuration. */
export function readAdminSettings(config: ConfigService): AdminSettings {
  return {
    login: config.getString('keel.admin.login', DEFAULT_MASTER_LOGIN),
    failures: {
      maxFailures: config.getNumber('keel.admin.maxFailures', 10),
      windowMs: config.getNumber('keel.admin.failureWindowSeconds', 900) * 1000,
      lockoutMs: config.getNumber('keel.admin.lockoutSeconds', 300) * 1000,
      delayAfter: 1,
      baseDelayMs: config.getNumber('keel.admin.failureDelayMs', 200),
      maxDelayMs: config.getNumber('keel.admin.maxFailureDelayMs', 10_000),
    },
  };
}
