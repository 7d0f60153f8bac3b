// What a webhook subscription must satisfy before it is stored: a known, enabled webhook id, a URI
// that passes the webhook's validation mode and the transport's scheme and address rules, the TTL
// and the per-user maximum.
import { isIP } from 'node:net';
import type { PushSubscription, SubscriptionStore } from '@keel/plugin-sdk';
import { checkTarget, resolvePublic } from './address-guard.js';
import { tooManyWebhookSubscriptions, unknownWebhook, uriRefused, webhookNotEnabled } from './errors.js';
import type { TransportSettings } from './transport-settings.js';
import type { WebhookConfig } from './webhook-config.js';

export const WEBHOOK_TRANSPORT_ID = 'webhook';

/**
 * The client URI against the configured one. `prefix` compares parsed URIs (same scheme, host and
 * port, path below the configured path) so `https://hooks.example.com.evil.org` does not pass as a
 * prefix of `https://hooks.example.com`.
 */
export function matchesConfiguredUri(mode: WebhookConfig['uriValidationMode'], requested: URL, configured: URL | undefined): boolean {
  if (mode === 'none') return true;
  if (configured === undefined) return false;
  if (mode === 'exact') return requested.href === configured.href;
  if (requested.origin !== configured.origin || requested.username !== configured.username) return false;
  const base = configured.pathname;
  const path = requested.pathname;
  const pathOk = path === base || path.startsWith(base.endsWith('/') ? base : `${base}/`);
  return pathOk && requested.href.startsWith(configured.href.replace(/[?#].*$/, ''));
}

export async function validateWebhookSubscription(subscription: PushSubscription, deps: {
  webhook: WebhookConfig | undefined;
  enabledIds: readonly string[];
  settings: TransportSettings;
  store: SubscriptionStore | undefined;
  now: number;
}): Promise<PushSubscription> {
  const { webhook, settings } = deps;
  if (webhook === undefined) throw unknownWebhook(subscription.client);
  if (!deps.enabledIds.includes(webhook.id)) throw webhookNotEnabled(webhook.id);

  let uri: URL;
  if (subscription.token === '') {
    if (webhook.uri === undefined) throw uriRefused(`webhook '${webhook.id}' has no configured uri, so the token must be the URI`);
    uri = webhook.uri;
  } else {
    try {
      uri = new URL(subscription.token);
    } catch {
      throw uriRefused('the token is not an absolute URI');
    }
    if (!matchesConfiguredUri(webhook.uriValidationMode, uri, webhook.uri)) {
      throw uriRefused(`it does not ${webhook.uriValidationMode === 'exact' ? 'equal' : 'start with'} the URI configured for webhook '${webhook.id}'`);
    }
  }
  try {
    checkTarget(uri, { httpsOnly: settings.httpsOnly, allowLocal: settings.allowLocalWebhooks });
    // Host names are checked now for a clear answer, and again on every connection.
    if (!settings.allowLocalWebhooks && isIP(uri.hostname.replace(/^\[|\]$/g, '')) === 0) await resolvePublic(uri.hostname);
  } catch (error) {
    throw uriRefused((error as Error).message);
  }
  const token = uri.href;

  let expires = subscription.expires;
  if (webhook.maxTimeToLiveMillis !== undefined) {
    const latest = deps.now + webhook.maxTimeToLiveMillis;
    expires = expires === undefined ? latest : Math.min(expires, latest);
  }

  const limit = webhook.maxNumberOfSubscriptionsPerUser;
  if (limit !== undefined && deps.store !== undefined) {
    const existing = await deps.store.list(subscription.contextId, subscription.userId);
    // Re-subscribing the same URI replaces a subscription, so it does not count.
    const others = existing.filter((s) => s.transport === WEBHOOK_TRANSPORT_ID && s.client === webhook.id && s.token !== token);
    if (others.length >= limit) throw tooManyWebhookSubscriptions(webhook.id, limit);
  }
  return { ...subscription, token, ...(expires === undefined ? {} : { expires }) };
}
