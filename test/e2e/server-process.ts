import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, onExit } from '../harness/index.js';

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
export const KEEL_BIN = join(REPO_ROOT, 'core', 'bin', 'keel.js');

export interface KeelProcess {
  url: string;
  port: number;
  /** The server's process id (for /proc/<pid>/status). */
  pid: number;
  configDir: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  log(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  exited: Promise<number | null>;
  /** Sends a signal without waiting; see `exited`. */
  signal(signal: NodeJS.Signals): void;
  /** Runs `keel <args>` against this server and returns its exit code and output. */
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `keel start` as operators run it: this repository's bundles, a fresh config and data directory,
 * a free loopback port. `files` are written into the config directory first.
 */
export async function startKeelProcess(options: { files?: Record<string, string>; env?: Record<string, string> } = {}): Promise<KeelProcess> {
  const base = await mkdtemp(join(tmpdir(), 'keel-e2e-'));
  const configDir = join(base, 'config');
  await mkdir(configDir);
  for (const [name, text] of Object.entries(options.files ?? {})) {
    await mkdir(join(configDir, name, '..'), { recursive: true });
    await writeFile(join(configDir, name), text);
  }
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    KEEL_HOME: REPO_ROOT,
    KEEL_CONFIG_DIR: configDir,
    KEEL_DATA_DIR: join(base, 'data'),
    KEEL_HTTP_PORT: String(port),
    KEEL_MASTER_PASSWORD: 'e2e-master-secret',
    ...options.env,
  };
  const child: ChildProcess = spawn(process.execPath, [KEEL_BIN, 'start'], { env, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  // Decoded as streams, so a character split across chunks stays whole (the log is scanned for secrets).
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { log += chunk; });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { log += chunk; });
  // A test process that dies without stop() must not leave the server running.
  const unregister = onExit(() => child.kill('SIGKILL'));
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => {
    unregister();
    resolveExit(code);
  }));
  const deadline = Date.now() + 60_000;
  while (!log.includes('Keel listening')) {
    if (child.exitCode !== null) throw new Error(`keel start exited with ${child.exitCode}:\n${log}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`keel start did not listen within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    pid: child.pid!,
    configDir,
    dataDir: join(base, 'data'),
    env,
    log: () => log,
    alive: () => child.exitCode === null && child.signalCode === null,
    exited,
    signal: (signal) => {
      child.kill(signal);
    },
    cli: (args) => new Promise((resolveRun) => {
      execFile(process.execPath, [KEEL_BIN, ...args, '--url', url], { env, cwd: REPO_ROOT }, (error, stdout, stderr) => {
        resolveRun({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
    }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      await rm(base, { recursive: true, force: true });
      return code;
    },
  };
}
