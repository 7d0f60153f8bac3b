// Private redis-server instances (for fault tests that stop/restart the server) and helpers for the
// machine's shared Redis on 127.0.0.1:6379 (isolated per test by key prefix).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { binaryPath, requireBinary, skipOrFail, type SkipContext } from './availability.js';
import { freePort } from './free-port.js';
import { isAlive, onExit, readPidFile, signalQuietly, waitForExit } from './process-cleanup.js';
import { startDaemon } from './run-command.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';
import { readGreeting, waitFor } from './wait-for.js';

export const sharedRedisUrl = 'redis://127.0.0.1:6379';

export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  url: string;
  host: string;
  port: number;
  dir: string;
  /** Stops the server (by PID) and removes its dir. */
  stop(): Promise<void>;
  /** Stops the server by PID and starts it again on the same port (empty: nothing is persisted). */
  restart(): Promise<void>;
  /** Only the stop half of restart(), for tests that need the server down for a while. */
  kill(): Promise<void>;
  /** Starts it again after kill(). */
  start(): Promise<void>;
}

async function redisAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return (await readGreeting(port, host, 'PING\r\n')).startsWith('+PONG');
}

/** undefined when redis-server is installed (throws under CI=true, else loud skip). */
export function redisSkipReason(t?: SkipContext): string | undefined {
  return requireBinary('redis-server', t);
}

/** undefined when the shared Redis on 127.0.0.1:6379 answers PING. */
export async function sharedRedisSkipReason(t?: SkipContext): Promise<string | undefined> {
  if (await redisAnswers(6379).catch(() => false)) return undefined;
  return skipOrFail(
    "Redis not reachable on 127.0.0.1:6379 — start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no",
    t,
  );
}

/** A unique key prefix for one test on the shared Redis, e.g. "keel-test:pns:3f9a1c2b:". */
export function redisKeyPrefix(label = 'test'): string {
  return `keel-test:${label}:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under a prefix (SCAN, never KEYS); returns how many were deleted. */
export async function deleteRedisKeys(prefix: string, url = sharedRedisUrl): Promise<number> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    let deleted = 0;
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    for await (const keys of client.scanStream({ match: pattern, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) deleted += await client.unlink(...keys);
    }
    return deleted;
  } finally {
    client.disconnect();
  }
}

/** A private redis-server on a free 127.0.0.1 port in a temp dir; nothing is saved to disk. */
export async function startRedis(): Promise<RedisServer> {
  const executable = binaryPath('redis-server');
  const dir = await makeTempDir('keel-redis');
  const port = await freePort();
  const host = '127.0.0.1';
  const pidFile = join(dir, 'redis.pid');
  let pid: number | undefined;
  const unregister = onExit(() => {
    const current = pid ?? readPidFile(pidFile);
    if (current !== undefined) signalQuietly(current, 'SIGKILL');
  });

  async function start(): Promise<void> {
    // redis-server removes its pid file on a clean exit; a stale one would fool the wait below
    await startDaemon(executable, [
      '--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no',
      '--daemonize', 'yes', '--dir', dir, '--pidfile', pidFile, '--logfile', join(dir, 'redis.log'),
    ], join(dir, 'redis.out'));
    await waitFor(`redis-server on port ${port}`, async () => readPidFile(pidFile) !== undefined && (await redisAnswers(port)));
    pid = readPidFile(pidFile);
  }

  async function kill(): Promise<void> {
    const current = pid ?? readPidFile(pidFile);
    pid = undefined;
    if (current === undefined || !isAlive(current)) return;
    signalQuietly(current, 'SIGTERM');
    await waitForExit([current]);
  }

  try {
    await start();
  } catch (error) {
    await kill();
    unregister();
    await removeTempDir(dir);
    throw error;
  }
  let stopped = false;
  return {
    url: `redis://${host}:${port}`,
    host,
    port,
    dir,
    start,
    kill,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill();
      unregister();
      await removeTempDir(dir);
    },
  };
}
