// The PushTransport `webhook`: signed POSTs to webhook receivers, with removal of dead URIs and
// bounded retries.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConfigCascade, DeliveryOutcome, Logger, PushMatch, PushNotification, PushSubscription, PushTransport, SubscriptionStore, UserService } from '@keel/plugin-sdk';
import { isRetryable, retryDelay } from './retry-policy.js';
import { validateWebhookSubscription, WEBHOOK_TRANSPORT_ID } from './subscription-validation.js';
import { WEBHOOK_PROPERTY, type TransportSettings } from './transport-settings.js';
import type { WebhookConfig } from './webhook-config.js';
import type { SendOutcome, WebhookHttpClient } from './webhook-http-client.js';
import { buildWebhookRequest } from './webhook-request.js';

export interface WebhookTransportDeps {
  settings(): TransportSettings;
  webhooks(): ReadonlyMap<string, WebhookConfig>;
  client(): WebhookHttpClient;
  cascade: ConfigCascade;
  /** Looked up when needed: pns-impl provides it and must not be a start dependency of this bundle. */
  store(): SubscriptionStore | undefined;
  users(): UserService | undefined;
  logger: Logger;
  now?(): number;
}

export interface WebhookTransport extends PushTransport {
  /** Ends pending retry waits (the bundle is stopping). */
  abort(): void;
  /** Deliveries by outcome (`refused`: the URI guard refused the target), retries, subscriptions removed. */
  counters(): { sent: number; failed: number; refused: number; retried: number; removed: number };
}

/** Where a delivery went, for logs: scheme, host and port only (paths and queries may carry secrets). */
function originOf(uri: string): string {
  try {
    return new URL(uri).origin;
  } catch {
    return '(invalid URI)';
  }
}

export function createWebhookTransport(deps: WebhookTransportDeps): WebhookTransport {
  const now = deps.now ?? (() => Date.now());
  const aborter = new AbortController();
  const counters = { sent: 0, failed: 0, refused: 0, retried: 0, removed: 0 };

  async function emailOf(match: PushMatch): Promise<string | undefined> {
    try {
      return (await deps.users()?.get(match.contextId, match.userId))?.email;
    } catch (error) {
      deps.logger.warn({ err: error, context: match.contextId, user: match.userId }, 'user lookup for email1 failed; sending without it');
      return undefined;
    }
  }

  /** One POST, retries included (awaited here, not in the background); true when the receiver answered 2xx. */
  async function deliverOne(notification: PushNotification, match: PushMatch, webhook: WebhookConfig, email1: string | undefined): Promise<boolean> {
    const settings = deps.settings();
    const request = buildWebhookRequest({ webhook, notification, match, userAgent: settings.userAgent, now: now(), ...(email1 === undefined ? {} : { email1 }) });
    const where = { webhook: webhook.id, target: originOf(match.token), context: match.contextId, user: match.userId, topic: notification.topic };
    let url: URL;
    try {
      url = new URL(match.token);
    } catch {
      counters.failed++;
      deps.logger.warn(where, 'webhook subscription has an invalid URI; not delivered');
      return false;
    }
    for (let attempt = 1; ; attempt++) {
      const outcome: SendOutcome = await deps.client().post(url, request);
      if (outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300) {
        counters.sent++;
        if (attempt > 1) deps.logger.info({ ...where, attempts: attempt }, 'webhook delivered after retrying');
        return true;
      }
      if (outcome.status === 403 || outcome.status === 404 || outcome.status === 405) {
        // The receiver says this URI is gone or not ours to call: drop the subscription.
        counters.failed++;
        const removed = (await deps.store()?.removeToken(WEBHOOK_TRANSPORT_ID, match.token).catch((error: unknown) => {
          deps.logger.error({ ...where, err: error }, 'could not remove the webhook subscription');
          return 0;
        })) ?? 0;
        counters.removed += removed;
        deps.logger.warn({ ...where, status: outcome.status, removed }, `webhook answered ${outcome.status}; subscription removed`);
        return false;
      }
      const retryable = !outcome.refused && !outcome.tls && isRetryable({ ...outcome, timeout: outcome.timeout !== undefined });
      if (!retryable || attempt > settings.maxRetries || aborter.signal.aborted) {
        if (outcome.refused) counters.refused++;
        else counters.failed++;
        deps.logger.warn({ ...where, status: outcome.status, reason: outcome.reason, attempts: attempt }, outcome.refused ? 'webhook target refused; not delivered' : outcome.tls ? "webhook receiver's TLS certificate not accepted; not delivered" : 'webhook delivery failed');
        return false;
      }
      const delay = retryDelay({ maxRetries: settings.maxRetries, baseDelayMs: settings.retryBaseDelayMs, maxDelayMs: settings.retryMaxDelayMs }, attempt);
      counters.retried++;
      deps.logger.warn({ ...where, status: outcome.status, reason: outcome.reason, attempt, retryInMs: delay }, `webhook delivery failed; retry ${attempt} of ${settings.maxRetries}`);
      try {
        await sleep(delay, undefined, { signal: aborter.signal });
      } catch {
        // Aborted: the next round reports the failure.
      }
    }
  }

  return {
    id: WEBHOOK_TRANSPORT_ID,

    async isEnabled(match) {
      if (!deps.webhooks().has(match.client)) return false;
      const view = await deps.cascade.view({ contextId: match.contextId, userId: match.userId });
      if (!view.getList(WEBHOOK_PROPERTY.enabledIds, []).includes(match.client)) return false;
      return view.switchFor(WEBHOOK_PROPERTY.enabled, true, match.client, match.topic);
    },

    async deliver(notification, matches): Promise<DeliveryOutcome> {
      // Retries finish inside this call, so the outcome is final: every match not answered 2xx
      // failed (after retries, 403/404/405 with the subscription removed, refused by the target
      // guard, an invalid URI, a webhook no longer configured).
      const emails = new Map<string, Promise<string | undefined>>();
      const delivered = await Promise.all(matches.map(async (match) => {
        const webhook = deps.webhooks().get(match.client);
        if (webhook === undefined) {
          deps.logger.warn({ webhook: match.client }, 'webhook no longer configured; not delivered');
          return false;
        }
        const key = `${match.contextId}/${match.userId}`;
        let email = emails.get(key);
        if (email === undefined) emails.set(key, (email = emailOf(match)));
        return deliverOne(notification, match, webhook, await email);
      }));
      return { failed: delivered.filter((ok) => !ok).length };
    },

    async validate(subscription: PushSubscription) {
      const view = await deps.cascade.view({ contextId: subscription.contextId, userId: subscription.userId });
      return validateWebhookSubscription(subscription, {
        webhook: deps.webhooks().get(subscription.client),
        enabledIds: view.getList(WEBHOOK_PROPERTY.enabledIds, []),
        settings: deps.settings(),
        store: deps.store(),
        now: now(),
      });
    },

    sharesToken(subscription) {
      return deps.webhooks().get(subscription.client)?.allowSharedUri ?? true;
    },

    abort() {
      aborter.abort();
    },
    counters: () => ({ ...counters }),
  };
}
