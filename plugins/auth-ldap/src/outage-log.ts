import type { Logger } from '@keel/plugin-sdk';

export interface OutageLog {
  /** Logs the first failure of an outage as a warning; repeats while it lasts are debug lines. */
  down(reason: string): void;
  /** Ends an outage (logged once). */
  up(): void;
  readonly isDown: boolean;
}

/** One warning per LDAP outage, not one per login attempt (a dead server must not flood the log). */
export function createOutageLog(logger: Logger): OutageLog {
  let since: number | undefined;
  let failures = 0;
  return {
    down(reason) {
      failures++;
      if (since === undefined) {
        since = Date.now();
        logger.warn({ reason }, 'LDAP authentication unavailable; LDAP logins are passed to the next authenticator until it recovers');
      } else {
        logger.debug({ reason, failures }, 'LDAP authentication still unavailable');
      }
    },
    up() {
      if (since === undefined) return;
      logger.info({ downForMs: Date.now() - since, failedLogins: failures }, 'LDAP authentication available again');
      since = undefined;
      failures = 0;
    },
    get isDown() {
      return since !== undefined;
    },
  };
}
