// Identity of a notification for aggregation: same context, user, topic, source token and data.
import type { PushNotification } from '@keel/plugin-sdk';

/** JSON with object keys sorted at every level, so `{a,b}` and `{b,a}` give the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  // toJSON first (Dates and the like), as JSON.stringify would.
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return sortKeys(json.call(value));
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

export function notificationKey(notification: PushNotification): string {
  const { contextId, userId, topic, sourceToken, messageData } = notification;
  return canonicalJson([contextId, userId, topic, sourceToken ?? null, messageData ?? {}]);
}
