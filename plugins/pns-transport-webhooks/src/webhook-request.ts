// The exact bytes and headers of one webhook call (protocols.md §5), signed once and reused on retries.
import { createHmac, randomUUID } from 'node:crypto';
import type { PushMatch, PushNotification } from '@keel/plugin-sdk';
import type { WebhookConfig } from './webhook-config.js';

export interface WebhookRequest {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: number;
}

/** `{"event":…,"payload":{…messageData,"user","context","email1"?},"timestamp":…}`, keys in that order. */
export function webhookBody(notification: PushNotification, match: PushMatch, timestamp: number, email1?: string): string {
  const payload: Record<string, unknown> = { ...notification.messageData, user: match.userId, context: match.contextId };
  if (email1 !== undefined && email1 !== '') payload.email1 = email1;
  return JSON.stringify({ event: notification.topic, payload, timestamp });
}

/** `t=<timestamp>, v1=<hex HMAC-SHA256(secret, "v1:" + timestamp + ":" + body)>`. */
export function oxSignature(secret: string, version: number, timestamp: number, body: Buffer): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`v${version}:${timestamp}:`, 'utf8');
  hmac.update(body);
  return `t=${timestamp}, v${version}=${hmac.digest('hex')}`;
}

/** Standard Webhooks: `v1,<base64 HMAC-SHA256(key, id + "." + seconds + "." + body)>`. */
export function standardSignature(key: Buffer, id: string, seconds: number, body: Buffer): string {
  const hmac = createHmac('sha256', key);
  hmac.update(`${id}.${seconds}.`, 'utf8');
  hmac.update(body);
  return `v1,${hmac.digest('base64')}`;
}

export function buildWebhookRequest(options: {
  webhook: WebhookConfig;
  notification: PushNotification;
  match: PushMatch;
  email1?: string;
  userAgent: string;
  now: number;
}): WebhookRequest {
  const { webhook, now } = options;
  const body = Buffer.from(webhookBody(options.notification, options.match, now, options.email1), 'utf8');
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=UTF-8',
    'User-Agent': options.userAgent,
  };
  if (webhook.webhookSecret !== undefined) headers.Authorization = webhook.webhookSecret;
  else if (webhook.login !== undefined && webhook.password !== undefined) {
    headers.Authorization = `Basic ${Buffer.from(`${webhook.login}:${webhook.password}`, 'utf8').toString('base64')}`;
  }
  if (webhook.signatureSecret !== undefined) headers[webhook.signatureHeaderName] = oxSignature(webhook.signatureSecret, webhook.version, now, body);
  if (webhook.standardWebhooks && webhook.standardWebhooksSecret !== undefined) {
    // One id per message, kept across retries, so receivers can drop duplicates.
    const id = `msg_${randomUUID()}`;
    const seconds = Math.floor(now / 1000);
    headers['webhook-id'] = id;
    headers['webhook-timestamp'] = String(seconds);
    headers['webhook-signature'] = standardSignature(webhook.standardWebhooksSecret, id, seconds, body);
  }
  return { body, headers, timestamp: now };
}
