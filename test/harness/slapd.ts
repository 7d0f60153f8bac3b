// A private OpenLDAP slapd per test: slapd.conf in a temp dir, the seed loaded offline with slapadd
// before start (10,000 entries in well under a second), stopped by PID.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { binaryPath, requireBinary, type SkipContext } from './availability.js';
import { freePort } from './free-port.js';
import { isAlive, onExit, readPidFile, signalQuietly, waitForExit } from './process-cleanup.js';
import { runCommand, startDaemon } from './run-command.js';
import { ldifHasEntry, slapdConfig, suffixEntryLdif } from './slapd-config.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';
import { canConnect, waitFor } from './wait-for.js';

export interface SlapdOptions {
  /** default dc=example,dc=com */
  suffix?: string;
  /** default "secret" */
  rootPassword?: string;
  /** Seed LDIF; the suffix entry is added in front unless the LDIF has it. */
  ldif?: string;
}

export interface SlapdServer {
  /** ldap://127.0.0.1:<port> */
  url: string;
  host: string;
  port: number;
  suffix: string;
  /** cn=admin,<suffix> */
  rootDn: string;
  rootPassword: string;
  baseDir: string;
  /** Adds entries to the running server with ldapadd as the root DN. */
  add(ldif: string): Promise<void>;
  stop(): Promise<void>;
  /** The last lines of slapd's log (loglevel stats). */
  logTail(lines?: number): Promise<string>;
}

/** undefined when slapd, slapadd and ldapadd are installed; else the skip reason (throws under CI). */
export function slapdSkipReason(t?: SkipContext): string | undefined {
  return requireBinary(['slapd', 'slapadd', 'ldapadd'], t);
}

export async function startSlapd(options: SlapdOptions = {}): Promise<SlapdServer> {
  const slapd = binaryPath('slapd');
  const slapadd = binaryPath('slapadd');
  const ldapadd = binaryPath('ldapadd');
  const suffix = options.suffix ?? 'dc=example,dc=com';
  const rootDn = `cn=admin,${suffix}`;
  const rootPassword = options.rootPassword ?? 'secret';
  const host = '127.0.0.1';
  const baseDir = await makeTempDir('keel-slapd');
  const configPath = join(baseDir, 'slapd.conf');
  const pidFile = join(baseDir, 'slapd.pid');
  const passwordFile = join(baseDir, 'root.pw');
  await mkdir(join(baseDir, 'db'));
  await writeFile(configPath, slapdConfig({ baseDir, suffix, rootDn, rootPassword }), { mode: 0o600 });
  // ldapadd -y reads the password from a file, keeping it out of the process list
  await writeFile(passwordFile, rootPassword, { mode: 0o600 });

  const port = await freePort();
  const url = `ldap://${host}:${port}`;
  const unregister = onExit(() => {
    const pid = readPidFile(pidFile);
    if (pid !== undefined) signalQuietly(pid, 'SIGKILL');
  });

  async function logTail(lines = 60): Promise<string> {
    const text = await readFile(join(baseDir, 'slapd.log'), 'utf8').catch(() => '');
    return text.split('\n').slice(-lines - 1).join('\n');
  }

  async function halt(): Promise<void> {
    const pid = readPidFile(pidFile);
    if (pid === undefined || !isAlive(pid)) return;
    signalQuietly(pid, 'SIGTERM');
    await waitForExit([pid]);
  }

  try {
    const seed = options.ldif ?? '';
    const seedPath = join(baseDir, 'seed.ldif');
    await writeFile(seedPath, ldifHasEntry(seed, suffix) ? seed : `${suffixEntryLdif(suffix)}\n${seed}`);
    // offline and in quick mode: 10,000 entries load in ~0.2 s (ldapadd needs ~11 s); schema and
    // parent checks still apply
    await runCommand(slapadd, ['-q', '-f', configPath, '-l', seedPath], { timeoutMs: 300_000 });
    try {
      await startDaemon(slapd, ['-f', configPath, '-h', `${url}/`], join(baseDir, 'slapd.out'));
      await waitFor(`slapd on port ${port}`, async () => readPidFile(pidFile) !== undefined && (await canConnect(port, host)));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`slapd did not start: ${message}\n--- slapd.log ---\n${await logTail(30)}`);
    }
  } catch (error) {
    await halt();
    unregister();
    await removeTempDir(baseDir);
    throw error;
  }

  let stopped = false;
  return {
    url,
    host,
    port,
    suffix,
    rootDn,
    rootPassword,
    baseDir,
    logTail,
    async add(ldif) {
      await runCommand(ldapadd, ['-x', '-H', url, '-D', rootDn, '-y', passwordFile], { input: ldif, timeoutMs: 300_000 });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      unregister();
      await removeTempDir(baseDir);
    },
  };
}
