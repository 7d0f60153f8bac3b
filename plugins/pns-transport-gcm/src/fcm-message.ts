import type { PushNotification } from '@keel/plugin-sdk';

/** FCM's limit for a message's data payload (keys and values). */
export const FCM_MAX_DATA_BYTES = 4096;

/** What one notification becomes for FCM, the same for every device. */
export interface FcmMessage {
  /** FCM data values must be strings: numbers and booleans as text, objects and arrays as JSON. */
  data: Record<string, string>;
  /** `high` wakes the device at once (new mail); `normal` otherwise. */
  priority: 'high' | 'normal';
}

/** Keys FCM reserves for itself. */
const RESERVED = /^(from|notification|message_type|collapse_key)$|^(google|gcm)\./i;
/** Kept when the payload has to shrink: enough for the app to fetch the rest. */
const ESSENTIAL = new Set(['topic', 'folder', 'id', 'unread']);

/**
 * A data message (the app renders it): `topic` plus every field of the message data, e.g. for
 * `ox:mail:new` `folder`, `id`, `email`, `displayname`, `subject`, `unread`, `teaser`. When the data
 * exceeds 4 KB the largest non-essential fields are dropped first (the teaser, then the subject …).
 */
export function fcmMessage(notification: PushNotification): FcmMessage {
  const data: Record<string, string> = { topic: notification.topic };
  for (const [name, value] of Object.entries(notification.messageData)) {
    if (RESERVED.test(name) || name === 'topic' || value === undefined || value === null) continue;
    data[name] = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  }
  while (size(data) > FCM_MAX_DATA_BYTES) {
    const largest = Object.keys(data).filter((name) => !ESSENTIAL.has(name)).sort((a, b) => Buffer.byteLength(data[b]!) - Buffer.byteLength(data[a]!))[0];
    if (largest === undefined) break;
    delete data[largest];
  }
  return { data, priority: notification.topic === 'ox:mail:new' ? 'high' : 'normal' };
}

function size(data: Record<string, string>): number {
  let total = 0;
  for (const [name, value] of Object.entries(data)) total += Buffer.byteLength(name) + Buffer.byteLength(value);
  return total;
}
