// Running syncs: one per context at a time, observable while they run (the CLI's progress bar polls them).
import { randomUUID } from 'node:crypto';
import { isKeelError } from '@keel/plugin-sdk';
import { syncRunning, unknownJob } from './errors.js';
import type { SyncProgress, SyncSummary } from './user-sync.js';

export interface SyncJob {
  id: string;
  contextId: number;
  dryRun: boolean;
  /** `schedule`, `admin`. */
  trigger: string;
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt?: string;
  progress: SyncProgress;
  summary?: SyncSummary;
  /** Why the sync failed; `status` is the HTTP status a waiting caller gets. */
  error?: { code: string; message: string; status: number };
}

export type SyncRunner = (contextId: number, dryRun: boolean, onProgress: (progress: SyncProgress) => void) => Promise<SyncSummary>;

export interface SyncJobs {
  /** Starts a sync; throws AIA-0005 when one of the same context is running. */
  start(contextId: number, dryRun: boolean, trigger: string): { job: SyncJob; finished: Promise<SyncJob> };
  get(id: string): SyncJob;
  running(contextId: number): SyncJob | undefined;
  /** Resolves when every running job has finished (bundle stop). */
  settle(): Promise<void>;
}

/** Finished jobs are kept for a while so that a poller sees the outcome. */
const KEEP_FINISHED = 50;
const KEEP_MS = 60 * 60 * 1000;

export function createSyncJobs(run: SyncRunner): SyncJobs {
  const jobs = new Map<string, SyncJob>();
  const byContext = new Map<number, SyncJob>();
  const pending = new Set<Promise<SyncJob>>();

  function prune(): void {
    const finished = [...jobs.values()].filter((job) => job.state !== 'running');
    const cutoff = Date.now() - KEEP_MS;
    finished.forEach((job, index) => {
      if (index < finished.length - KEEP_FINISHED || Date.parse(job.finishedAt!) < cutoff) jobs.delete(job.id);
    });
  }

  function start(contextId: number, dryRun: boolean, trigger: string): { job: SyncJob; finished: Promise<SyncJob> } {
    const busy = byContext.get(contextId);
    if (busy !== undefined) throw syncRunning(contextId, busy.id);
    prune();
    const job: SyncJob = { id: randomUUID(), contextId, dryRun, trigger, state: 'running', startedAt: new Date().toISOString(), progress: { phase: 'fetching', done: 0 } };
    jobs.set(job.id, job);
    byContext.set(contextId, job);
    const finished = run(contextId, dryRun, (progress) => {
      job.progress = { ...progress };
    }).then(
      (summary) => {
        job.state = 'done';
        job.summary = summary;
        return job;
      },
      (error: unknown) => {
        job.state = 'failed';
        job.error = isKeelError(error) ? { code: error.code, message: error.message, status: error.status } : { code: 'AIA-0000', message: (error as Error).message, status: 500 };
        return job;
      },
    ).finally(() => {
      job.finishedAt = new Date().toISOString();
      byContext.delete(contextId);
      pending.delete(finished);
    });
    pending.add(finished);
    return { job, finished };
  }

  return {
    start,
    get(id) {
      const job = jobs.get(id);
      if (job === undefined) throw unknownJob(id);
      return job;
    },
    running: (contextId) => byContext.get(contextId),
    async settle() {
      await Promise.all([...pending]);
    },
  };
}
