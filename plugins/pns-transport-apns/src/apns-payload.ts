import type { PushNotification } from '@keel/plugin-sdk';

/** Apple's limit for a regular notification's JSON payload. */
export const APNS_MAX_PAYLOAD_BYTES = 4096;

/** What one notification becomes on the wire, the same for every device of the notification. */
export interface ApnsMessage {
  pushType: 'alert' | 'background';
  /** 10 = at once (alerts); 5 = when convenient (the only value Apple allows for background pushes). */
  priority: 10 | 5;
  /** Lets the device replace an older, not yet shown notification of the same kind. */
  collapseId: string | undefined;
  payload: string;
}

/**
 * The mapping of PNS topics to APNs payloads:
 * - `ox:mail:new` → an alert: title = sender's display name (or address), body = subject, badge =
 *   unread count, default sound; `folder`, `id` and `topic` ride along for the app to open the mail.
 * - `ox:calendar:updates` → a background push (`content-available`) with `folders` and `needsAction`,
 *   collapsed so a series of changes wakes the app once.
 * - any other topic → a background push with the topic and the message's plain (string, number,
 *   boolean) fields.
 * Payloads are cut to fit APNS_MAX_PAYLOAD_BYTES: the alert body is shortened, optional fields dropped.
 */
export function apnsMessage(notification: PushNotification): ApnsMessage {
  const data = notification.messageData;
  if (notification.topic === 'ox:mail:new') {
    const title = firstText(data['displayname'], data['email']) ?? 'New mail';
    const body = firstText(data['subject']) ?? '';
    const unread = data['unread'];
    const aps: Record<string, unknown> = { alert: { title, body }, sound: 'default' };
    if (typeof unread === 'number' && Number.isInteger(unread) && unread >= 0) aps['badge'] = unread;
    const extra = pick(data, ['folder', 'id']);
    return { pushType: 'alert', priority: 10, collapseId: undefined, payload: fitAlert({ aps, topic: notification.topic, ...extra }) };
  }
  if (notification.topic === 'ox:calendar:updates') {
    const optional = pick(data, ['folders', 'needsAction']);
    return { pushType: 'background', priority: 5, collapseId: notification.topic, payload: fitBackground({ aps: { 'content-available': 1 }, topic: notification.topic }, optional) };
  }
  return { pushType: 'background', priority: 5, collapseId: undefined, payload: fitBackground({ aps: { 'content-available': 1 }, topic: notification.topic }, plainFields(data)) };
}

function firstText(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string' && value.trim() !== '') return value;
  return undefined;
}

function pick(data: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of names) if (data[name] !== undefined) picked[name] = data[name];
  return picked;
}

function plainFields(data: Record<string, unknown>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(data)) {
    if (name !== 'aps' && name !== 'topic' && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) plain[name] = value;
  }
  return plain;
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Shortens the alert body, then the title, to the most whole characters (plus an ellipsis) that fit. */
function fitAlert(payload: { aps: Record<string, unknown> } & Record<string, unknown>): string {
  let json = JSON.stringify(payload);
  const alert = payload.aps['alert'] as { title: string; body: string };
  for (const field of ['body', 'title'] as const) {
    if (bytes(json) <= APNS_MAX_PAYLOAD_BYTES) break;
    const chars = [...alert[field]];
    // Binary search for the longest prefix that fits: characters differ in (escaped UTF-8) size.
    let low = 0;
    let high = chars.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      alert[field] = `${chars.slice(0, middle).join('')}…`;
      if (bytes(JSON.stringify(payload)) <= APNS_MAX_PAYLOAD_BYTES) low = middle;
      else high = middle - 1;
    }
    alert[field] = low === 0 ? '' : `${chars.slice(0, low).join('')}…`;
    json = JSON.stringify(payload);
  }
  return json;
}

/** Adds optional fields while they fit; a background push only has to wake the app. */
function fitBackground(base: Record<string, unknown>, optional: Record<string, unknown>): string {
  let json = JSON.stringify(base);
  for (const [name, value] of Object.entries(optional)) {
    const candidate = JSON.stringify({ ...JSON.parse(json), [name]: value });
    if (bytes(candidate) <= APNS_MAX_PAYLOAD_BYTES) json = candidate;
  }
  return json;
}
