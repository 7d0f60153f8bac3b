// Shared test plumbing: sibling bundles and the harness from their compiled output, and the dialects.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '@keel/plugin-sdk/testing';

export type Harness = typeof import('../../../test/harness/index.js');

/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
export { loadBundle };

/** The integration-test harness (test/harness), compiled. */
export async function harness(): Promise<Harness> {
  return (await import(new URL('../../../../test/dist/harness/index.js', import.meta.url).href)) as Harness;
}

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
  const { mariaDbSkipReason, startMariaDbDatabase } = await harness();
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
