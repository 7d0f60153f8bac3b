import type { LockService, Logger } from '@keel/plugin-sdk';

/** Whether one user's listener may hold its connection here (`clusterLock`). */
export interface ListenerLock {
  /** True when the listener may run now (taken or already held). */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
  /** Called when a held lock could not be extended: another member may take the user over. */
  onLost(listener: () => void): void;
}

/** `none` and `local`: nothing to coordinate beyond this process (local de-duplication happens in the manager). */
export function processLock(): ListenerLock {
  return { acquire: async () => true, release: async () => {}, onLost: () => {} };
}

type Held = NonNullable<Awaited<ReturnType<LockService['tryLock']>>>;

/** `redis` / `db`: a LockService lock with expiry, extended every third of its lifetime while held. */
export function clusterLock(service: LockService, name: string, ttlMs: number, logger: Logger): ListenerLock {
  let held: Held | undefined;
  let timer: NodeJS.Timeout | undefined;
  const lostListeners: Array<() => void> = [];

  const lose = (reason: string) => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    held = undefined;
    logger.warn({ lock: name, reason }, 'lost the listener lock; the connection is closed until it can be taken again');
    for (const listener of lostListeners) listener();
  };

  return {
    async acquire() {
      if (held !== undefined) return true;
      try {
        held = await service.tryLock(name, ttlMs);
      } catch (error) {
        logger.warn({ lock: name, err: { message: (error as Error).message } }, 'the lock service failed; retrying later');
        return false;
      }
      if (held === undefined) return false;
      timer = setInterval(() => {
        const current = held;
        if (current === undefined) return;
        current.extend(ttlMs).then(
          (ok) => (ok || held !== current ? undefined : lose('not extended')),
          (error: unknown) => (held === current ? lose((error as Error).message) : undefined),
        );
      }, Math.max(250, Math.floor(ttlMs / 3)));
      timer.unref();
      return true;
    },
    async release() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      const current = held;
      held = undefined;
      if (current !== undefined) {
        await current.release().catch((error: unknown) => logger.warn({ lock: name, err: { message: (error as Error).message } }, 'could not release the listener lock; it expires by itself'));
      }
    },
    onLost(listener) {
      lostListeners.push(listener);
    },
  };
}
