import { setMaxListeners } from 'node:events';
import { createHttpsExchange, enabledMatches, removeDeadToken, tokenLabel, type ConfigCascade, type DeliveryOutcome, type HttpsExchange, type Logger, type PushMatch, type PushNotification, type PushSubscription, type PushTransport, type SubscriptionStore } from '@keel/plugin-sdk';
import type { DeliveryEvents, FcmSender } from './delivery-events.js';
import { gcmError } from './errors.js';
import { createFcmLegacySender } from './fcm-legacy-sender.js';
import { fcmMessage, type FcmMessage } from './fcm-message.js';
import { createFcmV1Sender } from './fcm-v1-sender.js';
import type { GcmClientOptions } from './gcm-options.js';
import { GCM_SWITCH, GOOGLE_TOKEN_URL, type GcmSettings } from './gcm-settings.js';
import { createAccessTokenSource, type AccessTokenSource } from './oauth-access-token.js';

export const GCM_TRANSPORT_ID = 'gcm';

export interface GcmStats {
  sent: number;
  removed: number;
  retried: number;
  failed: number;
}

export interface GcmTransport extends PushTransport {
  stats(): GcmStats;
  /** Client ids that can push now, with the API each uses. */
  clients(): Record<string, 'v1' | 'legacy'>;
  /** Installs new settings and clients (config reload). */
  reconfigure(settings: GcmSettings, clients: ReadonlyMap<string, GcmClientOptions>): void;
  close(): void;
}

interface ClientRuntime {
  options: GcmClientOptions;
  /** HTTP v1 only: the cached OAuth2 access token of the service account. */
  tokens: AccessTokenSource | undefined;
}

/** Transport `gcm`: Firebase Cloud Messaging, HTTP v1 with a service account or the legacy server key. */
export function createGcmTransport(deps: {
  settings: GcmSettings;
  clients: ReadonlyMap<string, GcmClientOptions>;
  cascade: ConfigCascade;
  store(): SubscriptionStore | undefined;
  logger: Logger;
}): GcmTransport {
  const { logger } = deps;
  const stopping = new AbortController();
  setMaxListeners(0, stopping.signal);
  const stats: GcmStats = { sent: 0, removed: 0, retried: 0, failed: 0 };
  let settings = deps.settings;
  let http: HttpsExchange = exchangeFor(settings);
  // Senders and token sources go through this, so after a reload their next request uses the new agent.
  const currentHttp: HttpsExchange = { post: (...args) => http.post(...args), close: () => {} };
  let clients = runtimes(deps.clients);

  function exchangeFor(current: GcmSettings): HttpsExchange {
    return createHttpsExchange({ ca: current.ca, timeoutMillis: current.requestTimeoutMillis, maxSockets: current.maxConnections });
  }

  function runtimes(options: ReadonlyMap<string, GcmClientOptions>): Map<string, ClientRuntime> {
    return new Map([...options].map(([id, client]) => {
      const tokens = client.api === 'v1'
        ? createAccessTokenSource({ client: id, account: client.account, tokenUrl: settings.tokenUrl ?? client.account.tokenUri ?? GOOGLE_TOKEN_URL, http: currentHttp })
        : undefined;
      return [id, { options: client, tokens }] as const;
    }));
  }

  const switchedOn = (matches: readonly PushMatch[]): Promise<PushMatch[]> =>
    enabledMatches({ cascade: deps.cascade, switchName: GCM_SWITCH, fallback: false, matches, servesClient: (client) => clients.has(client) });

  const events: DeliveryEvents = {
    delivered(count) {
      stats.sent += count;
    },
    async dead(match, why) {
      stats.removed += await removeDeadToken({
        store: deps.store(), transport: GCM_TRANSPORT_ID, token: match.token, why, what: 'FCM registration token',
        fields: { client: match.client, device: tokenLabel(match.token) }, logger,
      });
    },
    failed(matches, error) {
      if (matches.length === 0) return;
      stats.failed += matches.length;
      logger.error({ code: error.code, client: matches[0]!.client, devices: matches.length, device: tokenLabel(matches[0]!.token) }, error.message);
    },
    retrying(count, detail) {
      stats.retried += count;
      logger.debug({ devices: count, detail }, 'FCM push will be retried');
    },
  };

  function senderFor(runtime: ClientRuntime, message: FcmMessage, callEvents: DeliveryEvents): FcmSender {
    const common = { client: runtime.options.client, settings: () => settings, http: currentHttp, message, events: callEvents, signal: stopping.signal };
    return runtime.options.api === 'v1'
      ? createFcmV1Sender({ ...common, account: runtime.options.account, tokens: runtime.tokens! })
      : createFcmLegacySender({ ...common, serverKey: runtime.options.serverKey });
  }

  return {
    id: GCM_TRANSPORT_ID,
    async isEnabled(match) {
      return (await switchedOn([match])).length === 1;
    },
    async deliver(notification: PushNotification, matches: readonly PushMatch[]): Promise<DeliveryOutcome> {
      // Counted for this call: every match FCM did not accept failed (rejected, retries exhausted,
      // dead token, a refused credential, the client gone or switched off since isEnabled, the
      // transport stopping).
      const enabled = await switchedOn(matches);
      if (enabled.length === 0) return { failed: matches.length };
      let accepted = 0;
      const callEvents: DeliveryEvents = {
        ...events,
        delivered(count) {
          accepted += count;
          events.delivered(count);
        },
      };
      const message = fcmMessage(notification);
      const byClient = new Map<string, PushMatch[]>();
      for (const match of enabled) byClient.set(match.client, [...(byClient.get(match.client) ?? []), match]);
      await Promise.all([...byClient].map(([client, list]) => {
        const runtime = clients.get(client);
        return runtime === undefined ? undefined : senderFor(runtime, message, callEvents).send(list);
      }));
      return { failed: matches.length - accepted };
    },
    async validate(subscription: PushSubscription) {
      if (!/^[\x21-\x7e]{1,4096}$/.test(subscription.token)) throw gcmError('PNS-GCM-0009', { length: subscription.token.length });
      return subscription;
    },
    stats: () => ({ ...stats }),
    clients: () => Object.fromEntries([...clients].map(([id, runtime]) => [id, runtime.options.api])),
    reconfigure(nextSettings, next) {
      const previous = http;
      settings = nextSettings;
      http = exchangeFor(settings);
      clients = runtimes(next);
      // Requests in flight may still use the old agent's sockets: close it once they are surely done.
      setTimeout(() => previous.close(), nextSettings.requestTimeoutMillis).unref();
    },
    close() {
      stopping.abort();
      http.close();
    },
  };
}

