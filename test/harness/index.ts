// The integration-test harness: real servers (MariaDB, Redis, Dovecot, slapd) for Keel's tests.
export { binaryPath, findBinary, isCi, requireBinary, requireRoot, skipOrFail, type SkipContext } from './availability.js';
export { freePort } from './free-port.js';
export { makeTempDir, removeTempDir, type TempDirOptions } from './temp-dir.js';
export { isAlive, onExit, waitForExit } from './process-cleanup.js';
export { canConnect, waitFor } from './wait-for.js';
export { runCommand, type CommandResult } from './run-command.js';
export {
  MARIADB_HOST,
  MARIADB_PORT,
  MARIADB_USER,
  mariaDbSkipReason,
  startMariaDbDatabase,
  type MariaDbDatabase,
} from './mariadb.js';
export {
  deleteRedisKeys,
  redisKeyPrefix,
  redisSkipReason,
  sharedRedisSkipReason,
  sharedRedisUrl,
  startRedis,
  type RedisServer,
} from './redis.js';
export {
  HTTP_NOTIFY_METADATA_KEY,
  dovecotSkipReason,
  startDovecot,
  type DovecotOptions,
  type DovecotServer,
} from './dovecot.js';
export { deliverLmtp, encodeDataSection, type LmtpDelivery } from './lmtp-client.js';
export { imapQuote, openImapSession, type ImapReply, type ImapSession } from './imap-session.js';
export { slapdSkipReason, startSlapd, type SlapdOptions, type SlapdServer } from './slapd.js';
export { generatePeopleLdif, ldifLine, personDn, type PeopleLdifOptions } from './people-ldif.js';
export { describeSecretLeaks, findSecretLeaks, MIN_SECRET_LENGTH, type LoggedSecret, type SecretLeak } from './log-secrets.js';
