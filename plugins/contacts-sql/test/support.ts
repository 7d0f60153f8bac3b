// Shared test plumbing: sibling bundles from their compiled output, and the dialects.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '@keel/plugin-sdk/testing';
import { mariaDbSkipReason, startMariaDbDatabase } from '@keel/test/harness';

/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
export { loadBundle };

export interface DialectTarget {
  url: string;
  drop(): Promise<void>;
}

export interface DialectCase {
  name: 'sqlite' | 'mariadb';
  /** A reason to skip (loud; CI=true turns it into a failure), or false. */
  skip: string | false;
  create(): Promise<DialectTarget>;
}

export async function dialectCases(): Promise<DialectCase[]> {
  const mariaSkip = await mariaDbSkipReason();
  return [
    {
      name: 'sqlite',
      skip: false,
      async create() {
        const dir = await mkdtemp(join(tmpdir(), 'keel-contacts-sql-'));
        return { url: `sqlite:${join(dir, 'keel.db')}`, drop: () => rm(dir, { recursive: true, force: true }) };
      },
    },
    {
      name: 'mariadb',
      skip: mariaSkip ?? false,
      async create() {
        const database = await startMariaDbDatabase();
        return { url: database.url, drop: () => database.stop() };
      },
    },
  ];
}

/** Asserts a KeelError code (and optionally status). */
export function keelCode(code: string, status?: number): (error: unknown) => boolean {
  return (error) => {
    const actual = error as { code?: unknown; status?: unknown; message?: unknown };
    if (actual.code !== code) throw new Error(`expected ${code}, got ${String(actual.code)}: ${String(actual.message)}`);
    if (status !== undefined && actual.status !== status) throw new Error(`expected status ${status}, got ${String(actual.status)}`);
    return true;
  };
}
