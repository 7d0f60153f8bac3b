import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@keel/plugin-sdk';
import { invalidMasterPasswordFile } from './errors.js';
import { hashPassword, parseScryptHash, PLAIN_SCHEME, SCRYPT_SCHEME, type ScryptHash } from './password-hash.js';

export const MPASSWD_FILE = 'mpasswd';
export const MASTER_PASSWORD_ENV = 'KEEL_MASTER_PASSWORD';

export type MasterSecret =
  | { readonly kind: 'plain'; readonly password: string }
  | { readonly kind: 'scrypt'; readonly hash: ScryptHash };

export interface MasterCredential {
  readonly login: string;
  readonly secret: MasterSecret;
  /** Where the secret came from, for logs: `env KEEL_MASTER_PASSWORD`, a file path. Never the secret. */
  readonly source: string;
}

export interface LoadOptions {
  login: string;
  configDir: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Where the generated password is shown once; stdout by default (deliberately not the logger). */
  print?: (line: string) => void;
}

/**
 * Finds the master password, first match wins:
 * 1. the environment variable `KEEL_MASTER_PASSWORD`;
 * 2. the login's entry in `<configDir>/mpasswd` (operator-managed);
 * 3. the login's entry in `<dataDir>/mpasswd` (written by 4.);
 * 4. a random password generated now, stored hashed in `<dataDir>/mpasswd` and printed once.
 */
export async function loadMasterCredential(options: LoadOptions): Promise<MasterCredential> {
  const fromEnv = options.env[MASTER_PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { login: options.login, secret: { kind: 'plain', password: fromEnv }, source: `env ${MASTER_PASSWORD_ENV}` };
  }
  for (const directory of [options.configDir, options.dataDir]) {
    const file = join(directory, MPASSWD_FILE);
    const secret = await readEntry(file, options.login, options.logger);
    if (secret !== undefined) return { login: options.login, secret, source: file };
  }
  return generate(options);
}

async function readEntry(file: string, login: string, logger: Logger): Promise<MasterSecret | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Cannot read master password file ${file}: ${(error as Error).message}`);
  }
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw invalidMasterPasswordFile(file, index + 1, 'no "login:" prefix');
    if (line.slice(0, colon) !== login) continue;
    const value = line.slice(colon + 1);
    if (value.startsWith(SCRYPT_SCHEME)) {
      const hash = parseScryptHash(value.slice(SCRYPT_SCHEME.length));
      if (hash === undefined) throw invalidMasterPasswordFile(file, index + 1, 'malformed {scrypt} hash');
      return { kind: 'scrypt', hash };
    }
    if (value.startsWith(PLAIN_SCHEME)) {
      const password = value.slice(PLAIN_SCHEME.length);
      if (password === '') throw invalidMasterPasswordFile(file, index + 1, 'empty {PLAIN} password');
      logger.warn({ file, line: index + 1 }, `master password for '${login}' is stored in clear text ({PLAIN}); replace it with a {scrypt} hash (keel mpasswd)`);
      return { kind: 'plain', password };
    }
    throw invalidMasterPasswordFile(file, index + 1, 'unknown scheme (use {scrypt} or {PLAIN})');
  }
  return undefined;
}

async function generate(options: LoadOptions): Promise<MasterCredential> {
  const password = randomBytes(18).toString('base64url');
  const hashed = await hashPassword(password);
  const file = join(options.dataDir, MPASSWD_FILE);
  await mkdir(options.dataDir, { recursive: true });
  const entry = `${options.login}:${hashed}\n`;
  try {
    await writeFile(file, `# Keel master admin credentials: login:{scrypt}N=…,r=…,p=…$<salt>$<key>\n${entry}`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`Cannot write master password file ${file}: ${(error as Error).message}`);
    // Another start (or a file without this login) got there first: prefer an entry that appeared meanwhile.
    const existing = await readEntry(file, options.login, options.logger);
    if (existing !== undefined) return { login: options.login, secret: existing, source: file };
    await appendFile(file, entry, { mode: 0o600 });
  }
  const print = options.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  print(`Keel master admin '${options.login}' password (generated, shown only this once): ${password} — stored as a scrypt hash in ${file}`);
  options.logger.info({ file, login: options.login }, 'generated a master admin password (printed once to stdout)');
  return { login: options.login, secret: { kind: 'plain', password }, source: file };
}
