import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onExit } from './process-cleanup.js';

export interface TempDirOptions {
  /** e.g. 0o755 when a server dropping privileges must traverse it (mkdtemp makes 0700 dirs). */
  mode?: number;
  /** Parent directory; defaults to the OS temp dir. */
  parent?: string;
}

const unregister = new Map<string, () => void>();

/** Creates a unique temp dir that is removed on process exit unless removeTempDir() ran first. */
export async function makeTempDir(prefix: string, options: TempDirOptions = {}): Promise<string> {
  const dir = await mkdtemp(join(options.parent ?? tmpdir(), `${prefix.replace(/-?$/, '-')}`));
  if (options.mode !== undefined) await chmod(dir, options.mode);
  unregister.set(
    dir,
    onExit(() => rmSync(dir, { recursive: true, force: true })),
  );
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  unregister.get(dir)?.();
  unregister.delete(dir);
  await rm(dir, { recursive: true, force: true });
}
