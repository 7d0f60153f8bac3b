// The aggregation buffer: identical notifications wait together and leave as one.
import type { PushNotification } from '@keel/plugin-sdk';
import { notificationKey } from './canonical-key.js';

interface BufferedNotification {
  readonly notification: PushNotification;
  readonly firstArrival: number;
  due: number;
}

export interface NotificationBuffer {
  /**
   * Adds a notification. One equal to a buffered one (same context, user, topic, source token and
   * data) is not added again: the buffered one's due time becomes now + delay, capped at its first
   * arrival + maxDelay. Returns whether it was new.
   */
  add(notification: PushNotification, now: number): boolean;
  /** Removes and returns the notifications due at `now`, in arrival order. */
  takeDue(now: number): PushNotification[];
  /** Removes and returns everything (shutdown). */
  takeAll(): PushNotification[];
  readonly size: number;
}

export function createNotificationBuffer(options: { delayDuration: number; maxDelayDuration: number }): NotificationBuffer {
  // A Map keeps insertion order, so due notifications leave in the order they first arrived.
  const entries = new Map<string, BufferedNotification>();

  return {
    add(notification, now) {
      const key = notificationKey(notification);
      const existing = entries.get(key);
      if (existing !== undefined) {
        existing.due = Math.min(now + options.delayDuration, existing.firstArrival + options.maxDelayDuration);
        return false;
      }
      entries.set(key, { notification, firstArrival: now, due: now + options.delayDuration });
      return true;
    },
    takeDue(now) {
      const due: PushNotification[] = [];
      for (const [key, entry] of entries) {
        if (entry.due <= now) {
          entries.delete(key);
          due.push(entry.notification);
        }
      }
      return due;
    },
    takeAll() {
      const all = [...entries.values()].map((entry) => entry.notification);
      entries.clear();
      return all;
    },
    get size() {
      return entries.size;
    },
  };
}
