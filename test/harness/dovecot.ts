// A private Dovecot 2.3 (IMAP + LMTP, METADATA, optional OX push driver) per test, run as root with
// mail owned by the `vmail` system user. Started with `dovecot -c`, stopped with `doveadm stop`.
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { binaryPath, requireBinary, requireRoot, type SkipContext } from './availability.js';
import { dovecotConfig, dovecotPasswdFile } from './dovecot-config.js';
import { freePort } from './free-port.js';
import { deliverLmtp } from './lmtp-client.js';
import { childPids, isAlive, onExit, readPidFile, signalQuietly, waitForExit } from './process-cleanup.js';
import { runCommand, startDaemon } from './run-command.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';
import { readGreeting, waitFor } from './wait-for.js';

/** The METADATA entry Dovecot's OX driver reads (on mailbox "", not INBOX). */
export const HTTP_NOTIFY_METADATA_KEY = '/private/vendor/vendor.dovecot/http-notify';

export interface DovecotOptions {
  users: Array<{ login: string; password: string }>;
  /** Full OX driver URL incl. credentials; enables push_notification for LMTP. */
  pushUrl?: string;
  /** Adds `user_from_metadata` to the driver (default true). */
  pushUserFromMetadata?: boolean;
  extraConfig?: string;
}

export interface DovecotServer {
  host: '127.0.0.1';
  imapPort: number;
  lmtpPort: number;
  baseDir: string;
  configPath: string;
  /** The user's Maildir (messages land in <maildir>/new). */
  maildir(login: string): string;
  /** Delivers a raw message over LMTP; resolves after Dovecot's 250 (push requests happen before it). */
  deliver(toLogin: string, rawMessage: string | Buffer, options?: { from?: string }): Promise<void>;
  /** Sets (or with null unsets) server METADATA on mailbox "" via doveadm; key defaults to http-notify. */
  setMetadata(login: string, value: string | null, key?: string): Promise<void>;
  /** Reads server METADATA on mailbox ""; null when unset (Dovecot treats "" as unset). */
  getMetadata(login: string, key?: string): Promise<string | null>;
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** The last lines of the instance's log (mail_debug is on: every push decision is logged). */
  logTail(lines?: number): Promise<string>;
}

const DOVECOT_BINARIES = ['dovecot', 'doveadm'] as const;
const MAIL_USER = 'vmail';

/** undefined when Dovecot can run here (installed, root); else the skip reason (throws under CI). */
export function dovecotSkipReason(t?: SkipContext): string | undefined {
  return requireBinary(DOVECOT_BINARIES, t) ?? requireRoot('the Dovecot harness (it creates the vmail user)', t);
}

async function idOf(flag: '-u' | '-g', user: string): Promise<number | undefined> {
  try {
    return Number((await runCommand('id', [flag, user])).stdout.trim());
  } catch {
    return undefined;
  }
}

/** The vmail system user, created on first use; parallel test processes may race to create it. */
async function ensureMailUser(): Promise<{ uid: number; gid: number }> {
  if ((await idOf('-u', MAIL_USER)) === undefined) {
    await runCommand(binaryPath('useradd'), [
      '--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', MAIL_USER,
    ]).catch(async (error: unknown) => {
      if ((await idOf('-u', MAIL_USER)) === undefined) throw error;
    });
  }
  const uid = await idOf('-u', MAIL_USER);
  const gid = await idOf('-g', MAIL_USER);
  if (uid === undefined || gid === undefined || uid === 0) throw new Error(`no usable ${MAIL_USER} user`);
  return { uid, gid };
}

/** Dovecot's auth process (user dovecot) must traverse every directory up to the passwd-file. */
function assertTraversable(dir: string): void {
  for (let current = dir; ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) {
      throw new Error(`${current} is not traversable by other users (chmod o+x it or set TMPDIR elsewhere): Dovecot's auth process could not read its passwd-file`);
    }
    if (dirname(current) === current) return;
  }
}

export async function startDovecot(options: DovecotOptions): Promise<DovecotServer> {
  const dovecot = binaryPath('dovecot');
  const doveadm = binaryPath('doveadm');
  const { uid, gid } = await ensureMailUser();
  const baseDir = await makeTempDir('keel-dovecot', { mode: 0o755 });
  assertTraversable(baseDir);
  const mailRoot = join(baseDir, 'mail');
  const homeOf = (login: string): string => join(mailRoot, login);
  const configPath = join(baseDir, 'dovecot.conf');
  const passwdFile = join(baseDir, 'passwd');
  const pidFile = join(baseDir, 'run', 'master.pid');
  const [imapPort, lmtpPort] = [await freePort(), await freePort()];

  await mkdir(join(baseDir, 'run'));
  await mkdir(join(baseDir, 'state'));
  await mkdir(mailRoot);
  await chown(mailRoot, uid, gid);
  await writeFile(passwdFile, dovecotPasswdFile(options.users, uid, gid, homeOf), { mode: 0o644 });
  await writeFile(
    configPath,
    dovecotConfig({
      baseDir, passwdFile, imapPort, lmtpPort, mailUid: uid, mailGid: gid,
      ...(options.pushUrl !== undefined ? { pushUrl: options.pushUrl } : {}),
      ...(options.pushUserFromMetadata !== undefined ? { pushUserFromMetadata: options.pushUserFromMetadata } : {}),
      ...(options.extraConfig !== undefined ? { extraConfig: options.extraConfig } : {}),
    }),
    { mode: 0o644 },
  );

  const unregister = onExit(() => {
    const master = readPidFile(pidFile);
    if (master !== undefined) signalQuietly(master, 'SIGTERM');
  });

  async function logTail(lines = 60): Promise<string> {
    const text = await readFile(join(baseDir, 'dovecot.log'), 'utf8').catch(() => '');
    return text.split('\n').slice(-lines - 1).join('\n');
  }

  async function start(): Promise<void> {
    try {
      await startDaemon(dovecot, ['-c', configPath], join(baseDir, 'dovecot.out'));
      await waitFor('Dovecot IMAP greeting', async () => (await readGreeting(imapPort)).startsWith('* OK'));
      await waitFor('Dovecot LMTP greeting', async () => (await readGreeting(lmtpPort)).startsWith('220'));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`Dovecot did not start: ${message}\n--- dovecot.log ---\n${await logTail(30)}`);
    }
  }

  async function halt(): Promise<void> {
    const master = readPidFile(pidFile);
    if (master === undefined || !isAlive(master)) return;
    // children notice a dead master by themselves; collect them first to be sure they are gone
    const pids = [master, ...childPids(master)];
    await runCommand(doveadm, ['-c', configPath, 'stop']).catch(() => signalQuietly(master, 'SIGTERM'));
    await waitForExit(pids);
  }

  async function doveadmMetadata(args: string[]): Promise<string> {
    return (await runCommand(doveadm, ['-c', configPath, ...args])).stdout;
  }

  try {
    await start();
  } catch (error) {
    await halt();
    unregister();
    await removeTempDir(baseDir);
    throw error;
  }
  let stopped = false;
  return {
    host: '127.0.0.1',
    imapPort,
    lmtpPort,
    baseDir,
    configPath,
    maildir: (login) => join(homeOf(login), 'Maildir'),
    deliver: (toLogin, rawMessage, deliverOptions = {}) =>
      deliverLmtp({
        host: '127.0.0.1',
        port: lmtpPort,
        from: deliverOptions.from ?? 'sender@example.org',
        to: toLogin,
        message: rawMessage,
      }),
    async setMetadata(login, value, key = HTTP_NOTIFY_METADATA_KEY) {
      await doveadmMetadata(
        value === null
          ? ['mailbox', 'metadata', 'unset', '-u', login, '-s', '', key]
          : ['mailbox', 'metadata', 'set', '-u', login, '-s', '', key, value],
      );
    },
    async getMetadata(login, key = HTTP_NOTIFY_METADATA_KEY) {
      const out = await doveadmMetadata(['-f', 'json', 'mailbox', 'metadata', 'get', '-u', login, '-s', '', key]);
      const rows = JSON.parse(out) as Array<{ value?: string }>;
      const value = rows[0]?.value ?? '';
      return value === '' ? null : value;
    },
    async restart() {
      await halt();
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      unregister();
      await removeTempDir(baseDir);
    },
    logTail,
  };
}
