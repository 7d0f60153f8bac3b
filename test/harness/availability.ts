// Missing servers: a developer gets a loud skip, CI (CI=true) gets a failing test, so a broken CI
// machine can never pass by skipping everything.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** What node:test hands a test function; only skip() is used. */
export interface SkipContext {
  skip(message?: string): void;
}

/** Debian packages that provide each binary the harness uses. */
const PACKAGES: Record<string, string> = {
  dovecot: 'dovecot-core dovecot-imapd dovecot-lmtpd',
  doveadm: 'dovecot-core',
  doveconf: 'dovecot-core',
  slapd: 'slapd',
  slapadd: 'slapd',
  ldapadd: 'ldap-utils',
  ldapsearch: 'ldap-utils',
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  mariadbd: 'mariadb-server',
  mariadb: 'mariadb-client',
  openssl: 'openssl',
  chromium: 'chromium',
  useradd: 'passwd',
};

// sbin dirs are searched too: a non-root PATH often lacks them, yet the servers live there
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

export function isCi(): boolean {
  const ci = (process.env['CI'] ?? '').toLowerCase();
  return ci === 'true' || ci === '1';
}

/** Absolute path of an executable on PATH (or in the sbin dirs), else undefined. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), ...EXTRA_DIRS].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** Like findBinary but throws a message that says what to install. */
export function binaryPath(name: string): string {
  const path = findBinary(name);
  if (!path) throw new Error(`${name} not installed — run: ${installHint([name])}`);
  return path;
}

function installHint(names: readonly string[]): string {
  const packages = new Set(names.flatMap((name) => (PACKAGES[name] ?? name).split(' ')));
  return `apt-get install ${[...packages].join(' ')}`;
}

const warned = new Set<string>();

/**
 * The single place that decides between "skip" and "fail": under CI it throws; otherwise it prints
 * a banner to stderr (once per reason), calls t.skip() when given, and returns the reason.
 */
export function skipOrFail(reason: string, t?: SkipContext): string {
  if (isCi()) throw new Error(`${reason} (CI=true: missing test servers fail the build)`);
  const message = `SKIPPED: ${reason}`;
  if (!warned.has(message)) {
    warned.add(message);
    // '!' rather than '#': the TAP reporter escapes '#' in forwarded output
    const bar = '!'.repeat(Math.min(100, message.length + 6));
    process.stderr.write(`\n${bar}\n!! ${message}\n${bar}\n\n`);
  }
  t?.skip(message);
  return message;
}

/**
 * undefined when every binary is installed; otherwise the skip reason (see skipOrFail).
 * Use as `test('…', { skip: requireBinary('dovecot') }, …)` or `if (requireBinary('slapd', t)) return;`.
 */
export function requireBinary(name: string | readonly string[], t?: SkipContext): string | undefined {
  const names = typeof name === 'string' ? [name] : name;
  const missing = names.filter((n) => !findBinary(n));
  if (missing.length === 0) return undefined;
  return skipOrFail(`${missing.join(', ')} not installed — run: ${installHint(missing)}`, t);
}

/** undefined unless the process is not root; for servers the harness can only run as root. */
export function requireRoot(what: string, t?: SkipContext): string | undefined {
  if (process.getuid?.() === 0) return undefined;
  return skipOrFail(`${what} needs root (run the tests as root, as CI does)`, t);
}
