// Runs a suite on SQLite (temp file) and on the machine's MariaDB (a fresh database per suite).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';

export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root' } as const;

export interface TestDatabase {
  /** `sqlite:<temp>/keel.db` or `mysql://root@127.0.0.1:3306/keel_test_<random>`. */
  readonly url: string;
  /** A directory for the test to use (the SQLite file lives there). */
  readonly dir: string;
  /** Drops the database and removes the directory. */
  drop(): Promise<void>;
}

export interface DialectCase {
  readonly name: 'sqlite' | 'mariadb';
  /** A reason to skip, or false. */
  readonly skip: string | false;
  create(): Promise<TestDatabase>;
}

function isCi(): boolean {
  return ['true', '1'].includes((process.env['CI'] ?? '').toLowerCase());
}

export function rootConnection(): Promise<mysql.Connection> {
  return mysql.createConnection({ ...MARIADB, connectTimeout: 3000 });
}

async function mariaDbSkipReason(): Promise<string | false> {
  try {
    await (await rootConnection()).end();
    return false;
  } catch (error) {
    const reason = `MariaDB not reachable on ${MARIADB.host}:${MARIADB.port} as root without password (${(error as Error).message}): the MariaDB half of the storage-sql tests is SKIPPED`;
    // A CI machine without its database must fail, never pass by skipping.
    if (isCi()) throw new Error(`${reason} (CI=true)`);
    console.warn(`\n*** ${reason} ***\n`);
    return reason;
  }
}

export async function createMariaDbDatabase(): Promise<TestDatabase & { database: string }> {
  const database = `keel_test_${randomBytes(6).toString('hex')}`;
  const connection = await rootConnection();
  try {
    await connection.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
  const dir = await mkdtemp(join(tmpdir(), 'keel-storage-sql-'));
  return {
    url: `mysql://${MARIADB.user}@${MARIADB.host}:${MARIADB.port}/${database}`,
    dir,
    database,
    async drop() {
      const admin = await rootConnection();
      try {
        await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      } finally {
        await admin.end();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'keel-storage-sql-'));
  return { url: `sqlite:${join(dir, 'keel.db')}`, dir, drop: () => rm(dir, { recursive: true, force: true }) };
}

let cases: Promise<DialectCase[]> | undefined;

export function dialectCases(): Promise<DialectCase[]> {
  cases ??= (async () => [
    { name: 'sqlite', skip: false, create: createSqliteDatabase },
    { name: 'mariadb', skip: await mariaDbSkipReason(), create: createMariaDbDatabase },
  ] satisfies DialectCase[])();
  return cases;
}
