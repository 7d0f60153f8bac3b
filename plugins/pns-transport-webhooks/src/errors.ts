// Every error code the webhook transport answers, with its HTTP status, in one place.
import { KeelError } from '@keel/plugin-sdk';

export function unknownWebhook(id: string): KeelError {
  return new KeelError('WHK-0001', `Unknown webhook '${id}': the client must name a webhook configured in webhooks.yml`, { status: 400, params: [id] });
}

export function webhookNotEnabled(id: string): KeelError {
  return new KeelError('WHK-0002', `Webhook '${id}' is not enabled for this user (com.openexchange.webhooks.enabledIds)`, { status: 403, params: [id] });
}

export function uriRefused(reason: string): KeelError {
  return new KeelError('WHK-0003', `Webhook URI refused: ${reason}`, { status: 400 });
}

/** Same code as pns-impl's limit, so clients see one "too many subscriptions" error. */
export function tooManyWebhookSubscriptions(id: string, limit: number): KeelError {
  return new KeelError('PNS-0003', `Too many subscriptions: at most ${limit} per user for webhook '${id}'`, { status: 409, params: [limit, 'webhook', id] });
}

/** A delivery target the transport refuses (scheme, local address); not retried. */
export class TargetRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}
