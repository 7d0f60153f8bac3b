// One uniquely named database per test on the machine's MariaDB (127.0.0.1:3306, root, no password).
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import mysql from 'mysql2/promise';
import { findBinary, skipOrFail, type SkipContext } from './availability.js';
import { onExit } from './process-cleanup.js';

export const MARIADB_HOST = '127.0.0.1';
export const MARIADB_PORT = 3306;
export const MARIADB_USER = 'root';

export interface MariaDbDatabase {
  /** mysql://root@127.0.0.1:3306/<database> */
  url: string;
  database: string;
  /** Drops the database. */
  stop(): Promise<void>;
}

function rootConnection(): Promise<mysql.Connection> {
  return mysql.createConnection({ host: MARIADB_HOST, port: MARIADB_PORT, user: MARIADB_USER, connectTimeout: 3_000 });
}

async function unreachableReason(): Promise<string | undefined> {
  try {
    const connection = await rootConnection();
    await connection.end();
    return undefined;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return `MariaDB not reachable on ${MARIADB_HOST}:${MARIADB_PORT} as root without password (${detail}) — start it: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`;
  }
}

/** undefined when MariaDB answers; else the skip reason (throws under CI=true). */
export async function mariaDbSkipReason(t?: SkipContext): Promise<string | undefined> {
  const reason = await unreachableReason();
  return reason === undefined ? undefined : skipOrFail(reason, t);
}

/** Creates keel_test_<random> (utf8mb4); stop() drops it, and process exit does if stop() never ran. */
export async function startMariaDbDatabase(): Promise<MariaDbDatabase> {
  const database = `keel_test_${randomBytes(6).toString('hex')}`;
  let connection: mysql.Connection;
  try {
    connection = await rootConnection();
  } catch {
    const reason = (await unreachableReason()) ?? 'MariaDB not reachable';
    throw new Error(reason);
  }
  try {
    await connection.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
  const unregister = onExit(() => dropWithClient(database));
  let stopped = false;
  return {
    url: `mysql://${MARIADB_USER}@${MARIADB_HOST}:${MARIADB_PORT}/${database}`,
    database,
    async stop() {
      if (stopped) return;
      stopped = true;
      unregister();
      const admin = await rootConnection();
      try {
        await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      } finally {
        await admin.end();
      }
    },
  };
}

// Exit handlers cannot await a driver call, so the CLI client does the drop synchronously.
function dropWithClient(database: string): void {
  const client = findBinary('mariadb') ?? findBinary('mysql');
  if (!client) return;
  spawnSync(
    client,
    ['-h', MARIADB_HOST, '-P', String(MARIADB_PORT), '-u', MARIADB_USER, '-e', `DROP DATABASE IF EXISTS \`${database}\``],
    { stdio: 'ignore', timeout: 5_000 },
  );
}
