// `keel start` as a child process with its own config and data directories and a fixed port, so a
// test can SIGKILL a node and start it again as the same member.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../../../..');
const KEEL_BIN = join(REPO_ROOT, 'core', 'bin', 'keel.js');
/** The test-only push manager, loaded through KEEL_BUNDLE_DIRS. */
export const FIXTURE_BUNDLES = join(REPO_ROOT, 'plugins', 'cluster-redis', 'test', 'fixtures');

export interface KeelNode {
  readonly name: string;
  readonly url: string;
  /** Output of every run so far (for failure messages). */
  log(): string;
  start(): Promise<void>;
  /** SIGKILL: no stop function runs, the node just vanishes. */
  kill(): Promise<void>;
  /** SIGTERM and wait (SIGKILL after 15 s). */
  stop(): Promise<void>;
  readonly running: boolean;
}

export interface KeelNodeOptions {
  name: string;
  dir: string;
  port: number;
  /** Files for the config directory (packages.yml, *.properties). */
  files: Record<string, string>;
  env?: Record<string, string>;
  onSpawn?: (pid: number) => void;
}

export async function createKeelNode(options: KeelNodeOptions): Promise<KeelNode> {
  const configDir = join(options.dir, 'config');
  await mkdir(configDir, { recursive: true });
  for (const [name, text] of Object.entries(options.files)) await writeFile(join(configDir, name), text);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    KEEL_HOME: REPO_ROOT,
    KEEL_CONFIG_DIR: configDir,
    KEEL_DATA_DIR: join(options.dir, 'data'),
    KEEL_HTTP_PORT: String(options.port),
    KEEL_BUNDLE_DIRS: FIXTURE_BUNDLES,
    KEEL_LOG_LEVEL: 'info',
    ...options.env,
  };
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';

  return {
    name: options.name,
    url: `http://127.0.0.1:${options.port}`,
    log: () => output,
    get running() {
      return child !== undefined;
    },
    async start() {
      if (child !== undefined) throw new Error(`${options.name} is already running`);
      const started = output.length;
      const process_ = spawn(process.execPath, [KEEL_BIN, 'start'], { env, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      child = process_;
      options.onSpawn?.(process_.pid!);
      process_.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      process_.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      exited = new Promise((resolveExit) => process_.once('exit', () => {
        if (child === process_) child = undefined;
        resolveExit();
      }));
      const deadline = Date.now() + 45_000;
      while (!output.slice(started).includes('Keel listening')) {
        if (child !== process_) throw new Error(`${options.name}: keel start exited early:\n${output.slice(started)}`);
        if (Date.now() > deadline) {
          process_.kill('SIGKILL');
          throw new Error(`${options.name}: keel start did not listen within 45 s:\n${output.slice(started)}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async kill() {
      child?.kill('SIGKILL');
      await exited;
    },
    async stop() {
      const current = child;
      if (current === undefined) return;
      current.kill('SIGTERM');
      const timer = setTimeout(() => current.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
