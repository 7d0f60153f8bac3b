import type { PushNotification } from '@keel/plugin-sdk';

/** WNS's limit for a notification body. */
export const WNS_MAX_PAYLOAD_BYTES = 5120;

/** What one notification becomes for WNS, the same for every channel. */
export interface WnsNotification {
  /** `X-WNS-Type`. */
  type: 'wns/toast' | 'wns/raw';
  contentType: string;
  body: string;
}

/**
 * `ox:mail:new` → a toast (title = sender's display name or address, text = subject) whose
 * `launch` argument (`topic=…&folder=…&id=…`) tells the app which mail to open. Every other topic →
 * a raw notification: the JSON `{topic, …messageData}` for the app's background task; fields are
 * dropped, largest first, when it exceeds 5 KB.
 */
export function wnsNotification(notification: PushNotification): WnsNotification {
  const data = notification.messageData;
  if (notification.topic === 'ox:mail:new') {
    const title = firstText(data['displayname'], data['email']) ?? 'New mail';
    const launch = new URLSearchParams({ topic: notification.topic });
    for (const name of ['folder', 'id']) if (typeof data[name] === 'string') launch.set(name, data[name] as string);
    return { type: 'wns/toast', contentType: 'text/xml', body: toast(launch.toString(), title, firstText(data['subject']) ?? '') };
  }
  const payload: Record<string, unknown> = { ...data, topic: notification.topic };
  let body = JSON.stringify(payload);
  while (Buffer.byteLength(body) > WNS_MAX_PAYLOAD_BYTES) {
    const largest = Object.keys(payload).filter((name) => name !== 'topic').sort((a, b) => JSON.stringify(payload[b]).length - JSON.stringify(payload[a]).length)[0];
    if (largest === undefined) break;
    delete payload[largest];
    body = JSON.stringify(payload);
  }
  return { type: 'wns/raw', contentType: 'application/octet-stream', body };
}

function toast(launch: string, title: string, text: string): string {
  const render = (t: string, s: string): string =>
    `<toast launch="${xml(launch)}"><visual><binding template="ToastGeneric"><text>${xml(t)}</text><text>${xml(s)}</text></binding></visual></toast>`;
  let body = render(title, text);
  // Shorten the text, then the title, by whole characters until the toast fits.
  for (const which of ['text', 'title'] as const) {
    let chars = [...(which === 'text' ? text : title)];
    while (Buffer.byteLength(body) > WNS_MAX_PAYLOAD_BYTES && chars.length > 0) {
      chars = chars.slice(0, Math.max(0, chars.length - Math.ceil((Buffer.byteLength(body) - WNS_MAX_PAYLOAD_BYTES) / 6) - 1));
      if (which === 'text') text = chars.length > 0 ? `${chars.join('')}…` : '';
      else title = chars.length > 0 ? `${chars.join('')}…` : '';
      body = render(title, text);
    }
  }
  return body;
}

function firstText(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string' && value.trim() !== '') return value;
  return undefined;
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    // Control characters other than tab and newlines are not allowed in XML 1.0 at all.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}
