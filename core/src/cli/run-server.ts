import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKernel } from '../kernel/kernel.js';
import type { CliPaths } from './paths.js';

/**
 * `keel start`: boots the kernel, writes `<data>/keel.pid`, reloads on SIGHUP and shuts down
 * gracefully on SIGTERM/SIGINT (bundles stop in reverse dependency order, then exit 0).
 */
export async function runServer(paths: CliPaths): Promise<number> {
  const kernel = await createKernel({ root: paths.root, configDir: paths.configDir, dataDir: paths.dataDir, env: paths.env });
  const { logger } = kernel;
  await mkdir(paths.dataDir, { recursive: true });
  const pidFile = join(paths.dataDir, 'keel.pid');

  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string) => {
    if (stopping) return;
    logger.info({ signal }, 'shutting down');
    stopping = kernel.stop()
      .catch((error: unknown) => logger.error({ err: error }, 'shutdown failed'))
      .finally(() => rm(pidFile, { force: true }));
  };
  const done = new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        shutdown(signal);
        void stopping!.then(() => resolve());
      });
    }
  });
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading configuration and package status');
    kernel.control.reload()
      .then((result) => logger.info(result, 'reload finished'))
      .catch((error: unknown) => logger.error({ err: error }, 'reload failed'));
  });
  // A bug in one bundle's callback must not take the whole server down.
  process.on('uncaughtException', (error) => logger.error({ err: error }, 'uncaught exception'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

  await kernel.start();
  await writeFile(pidFile, `${process.pid}\n`);
  await done;
  return 0;
}

/** `keel reload` without admin credentials: signals the server whose PID file is in the data dir. */
export async function signalReload(paths: CliPaths): Promise<string> {
  const pidFile = join(paths.dataDir, 'keel.pid');
  const text = await readFile(pidFile, 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  if (!text || !Number.isInteger(pid) || pid <= 0) throw new Error(`No running server found (no PID file at ${pidFile}); start it with keel start`);
  try {
    process.kill(pid, 'SIGHUP');
  } catch {
    throw new Error(`The server with PID ${pid} (from ${pidFile}) is not running`);
  }
  return `Reload signal sent to the Keel server (PID ${pid}); see its log for what started and stopped.`;
}
