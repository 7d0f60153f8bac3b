// The PushNotificationService: buffer → bounded processing queue → dispatcher.
import type { Cancel, Logger, PushNotification, PushNotificationService } from '@keel/plugin-sdk';
import type { PnsClock } from './clock.js';
import type { NotificationDispatcher } from './notification-dispatcher.js';
import { createNotificationBuffer } from './notification-buffer.js';
import { createProcessingQueue } from './processing-queue.js';
import type { PnsSettings } from './pns-settings.js';
import { checkNotification } from './notification-input.js';

export interface PnsRuntime extends PushNotificationService {
  /** Notifications waiting: in the aggregation buffer, and in processing-queue tasks not yet started. */
  depth(): { buffered: number; queued: number };
  /** Starts the buffer timer. */
  start(): void;
  /** Stops the timer, delivers everything buffered and waits until the queue is empty. */
  stop(): Promise<void>;
}

export function createPushNotificationService(deps: {
  settings: PnsSettings;
  clock: PnsClock;
  dispatcher: NotificationDispatcher;
  logger: Logger;
}): PnsRuntime {
  const { settings, clock, dispatcher, logger } = deps;
  const buffer = createNotificationBuffer(settings);
  const queue = createProcessingQueue({
    concurrency: settings.numProcessorThreads,
    capacity: settings.maxProcessorTasks,
    onError: (error) => logger.error({ err: error }, 'push notification task failed'),
  });
  let handled = 0;
  /** Notifications in queued tasks (`queue.queued` counts tasks, one per group). */
  let queuedNotifications = 0;
  let stopping = false;
  let cancelTimer: Cancel | undefined;

  /** Queues due notifications, one task per (context, topic) group: each task does one subscription lookup. */
  async function submit(notifications: readonly PushNotification[]): Promise<void> {
    const groups = new Map<string, PushNotification[]>();
    for (const notification of notifications) {
      const key = `${notification.contextId}\u0000${notification.topic}`;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [notification]);
      else group.push(notification);
    }
    for (const group of groups.values()) {
      queuedNotifications += group.length;
      await queue.submit(async () => {
        // Started (by a worker or the caller): no longer waiting.
        queuedNotifications -= group.length;
        await dispatcher.dispatch(group);
      });
    }
  }

  async function tick(): Promise<void> {
    const due = buffer.takeDue(clock.now());
    if (due.length > 0) await submit(due);
  }

  return {
    async handle(notification) {
      const checked = checkNotification(notification);
      handled++;
      if (stopping || settings.delayDuration <= 0) {
        // Nothing to aggregate with (or no timer left): straight to processing.
        await submit([checked]);
        return;
      }
      buffer.add(checked, clock.now());
      // Back-pressure: while the queue is full, producers help to empty it.
      if (queue.full) await queue.assist();
    },
    async deliverNow(notification) {
      const checked = checkNotification(notification);
      handled++;
      return { matches: await dispatcher.dispatch([checked]) };
    },
    depth: () => ({ buffered: buffer.size, queued: queuedNotifications }),
    stats() {
      const { delivered, failed } = dispatcher.counters();
      return { buffered: buffer.size, queued: queue.queued, inFlight: queue.inFlight, handled, delivered, failed };
    },
    start() {
      cancelTimer ??= clock.every(settings.timerFrequency, tick, 'pns-buffer');
    },
    async stop() {
      stopping = true;
      cancelTimer?.();
      cancelTimer = undefined;
      const pending = buffer.takeAll();
      if (pending.length > 0) logger.info({ notifications: pending.length }, 'delivering buffered push notifications before stopping');
      await submit(pending);
      await queue.idle();
    },
  };
}
