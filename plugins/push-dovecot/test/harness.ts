// The repository's server harness (test/harness), loaded from its compiled output at run time: a
// bundle's tests never compile against another package's sources. Only what these tests use is typed.
import { loadBundle } from '@keel/plugin-sdk/testing';

export interface SkipContext { skip(message?: string): void }

export interface DovecotServer {
  host: '127.0.0.1';
  imapPort: number;
  lmtpPort: number;
  deliver(toLogin: string, rawMessage: string | Buffer, options?: { from?: string }): Promise<void>;
  setMetadata(login: string, value: string | null, key?: string): Promise<void>;
  getMetadata(login: string, key?: string): Promise<string | null>;
  restart(): Promise<void>;
  stop(): Promise<void>;
  logTail(lines?: number): Promise<string>;
}

export interface Harness {
  HTTP_NOTIFY_METADATA_KEY: string;
  dovecotSkipReason(t?: SkipContext): string | undefined;
  startDovecot(options: { users: Array<{ login: string; password: string }>; pushUrl?: string; pushUserFromMetadata?: boolean; extraConfig?: string }): Promise<DovecotServer>;
  mariaDbSkipReason(t?: SkipContext): Promise<string | undefined>;
  startMariaDbDatabase(): Promise<{ url: string; database: string; stop(): Promise<void> }>;
  makeTempDir(prefix: string): Promise<string>;
  removeTempDir(dir: string): Promise<void>;
}

export async function loadHarness(): Promise<Harness> {
  const url = new URL('../../../../test/dist/harness/index.js', import.meta.url);
  try {
    return (await import(url.href)) as Harness;
  } catch (error) {
    throw new Error(`the test harness is not built (${(error as Error).message}): run npx tsc -b test first`);
  }
}

/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
export { loadBundle };
