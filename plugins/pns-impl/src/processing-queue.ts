// Bounded processing: a fixed number of workers and a bounded backlog; when the backlog is full the
// submitter runs the task itself, so producers slow down instead of work being dropped.

export type ProcessingTask = () => Promise<void>;

export interface ProcessingQueue {
  /**
   * Starts the task when a worker is free, else queues it; when the queue is full, runs it in the
   * caller and resolves once it is done. Never drops a task.
   */
  submit(task: ProcessingTask): Promise<void>;
  /** Takes one queued task and runs it in the caller; false when nothing was queued. */
  assist(): Promise<boolean>;
  /** Whether the next `submit` would run in the caller. */
  readonly full: boolean;
  /** Resolves when nothing is queued or running (including work done by callers). */
  idle(): Promise<void>;
  readonly queued: number;
  readonly inFlight: number;
}

export function createProcessingQueue(options: {
  concurrency: number;
  capacity: number;
  /** Tasks handle their own failures; this only sees what escaped them. */
  onError(error: unknown): void;
}): ProcessingQueue {
  const backlog: ProcessingTask[] = [];
  let running = 0;
  let workers = 0;
  let idleWaiters: Array<() => void> = [];

  function settle(): void {
    if (running > 0 || workers > 0 || backlog.length > 0 || idleWaiters.length === 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async function run(task: ProcessingTask): Promise<void> {
    running++;
    try {
      await task();
    } catch (error) {
      options.onError(error);
    } finally {
      running--;
    }
  }

  function worker(first: ProcessingTask): void {
    void (async () => {
      // A worker keeps taking from the backlog until it is empty: one promise chain per worker.
      for (let task: ProcessingTask | undefined = first; task !== undefined; task = backlog.shift()) await run(task);
      workers--;
      settle();
    })();
  }

  return {
    async submit(task) {
      if (workers < options.concurrency) {
        workers++;
        worker(task);
        return;
      }
      if (backlog.length < options.capacity) {
        backlog.push(task);
        return;
      }
      // Caller runs: the work happens now, on the submitter's time.
      await run(task);
      settle();
    },
    async assist() {
      const task = backlog.shift();
      if (task === undefined) return false;
      await run(task);
      settle();
      return true;
    },
    get full() {
      return workers >= options.concurrency && backlog.length >= options.capacity;
    },
    idle() {
      if (running === 0 && backlog.length === 0 && workers === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    get queued() {
      return backlog.length;
    },
    get inFlight() {
      return running;
    },
  };
}
