// Last-resort cleanup: servers started by the harness daemonize and would outlive a test process
// that exits (or is killed by the runner) without calling stop(). Exit handlers must be synchronous.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
let installed = false;

function runCleanups(): void {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // best effort: the process is going away anyway
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runCleanups);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      runCleanups();
      // re-raise so the exit status still says "killed by signal"
      process.kill(process.pid, signal);
    });
  }
}

/** Registers a synchronous cleanup run on process exit; returns a function that unregisters it. */
export function onExit(cleanup: Cleanup): () => void {
  install();
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

const haveProc = existsSync('/proc/self/stat');

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, ...]. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** True while the process exists and is not a zombie (a container's PID 1 may never reap daemons). */
export function isAlive(pid: number): boolean {
  if (haveProc) {
    const state = procStat(pid)?.[0];
    return state !== undefined && state !== 'Z' && state !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Direct children of a process, read from /proc (empty where there is no /proc). */
export function childPids(parent: number): number[] {
  if (!haveProc) return [];
  const result: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (Number(procStat(Number(name))?.[1]) === parent) result.push(Number(name));
  }
  return result;
}

export function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Polls until every pid is gone; SIGKILLs whatever is left after the grace period. */
export async function waitForExit(pids: readonly number[], graceMs = 10_000): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) {
      for (const pid of pids) if (isAlive(pid)) signalQuietly(pid, 'SIGKILL');
      await sleep(100);
      return;
    }
    await sleep(25);
  }
}

/** Reads a daemon's pid file; undefined while it is not written yet. */
export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
