import { setMaxListeners } from 'node:events';
import { abortableDelay, backoffMillis, briefErrorMessage, enabledMatches, removeDeadToken, tokenLabel, type ConfigCascade, type DeliveryOutcome, type Logger, type PushMatch, type PushNotification, type PushSubscription, type PushTransport, type SubscriptionStore } from '@keel/plugin-sdk';
import type { ApnsClient } from './apns-clients.js';
import type { OutgoingHttpHeaders } from 'node:http2';
import { apnsVerdict } from './apns-outcome.js';
import { apnsMessage, type ApnsMessage } from './apns-payload.js';
import { APNS_SWITCH, type ApnsSettings } from './apns-settings.js';
import { apnsError } from './errors.js';

export const APNS_TRANSPORT_ID = 'apn';

export interface ApnsStats {
  /** Pushes APNs accepted. */
  sent: number;
  /** Dead tokens removed from the subscription store. */
  removed: number;
  /** Attempts repeated after 429, 5xx, an expired provider token or a broken connection. */
  retried: number;
  /** Pushes given up (rejected, or retries exhausted). */
  failed: number;
}

/** The transport plus what the bundle and tests need: counters and a way to swap clients on reload. */
export interface ApnsTransport extends PushTransport {
  stats(): ApnsStats;
  /** Client ids that can push now. */
  clients(): string[];
  /** Installs new settings and clients (config reload); the old connections are closed after their streams. */
  reconfigure(settings: ApnsSettings, clients: ReadonlyMap<string, ApnsClient>): Promise<void>;
  close(): Promise<void>;
}

export interface ApnsTransportDeps {
  settings: ApnsSettings;
  clients: ReadonlyMap<string, ApnsClient>;
  cascade: ConfigCascade;
  /** The subscription store when one is registered (optional dependency: dead tokens are then kept). */
  store(): SubscriptionStore | undefined;
  logger: Logger;
}

/** Transport `apn`: one notification → one APNs request per device, over each client's shared HTTP/2 session. */
export function createApnsTransport(deps: ApnsTransportDeps): ApnsTransport {
  let clients = deps.clients;
  let settings = deps.settings;
  const { logger } = deps;
  const stopping = new AbortController();
  // Every push waiting for a retry listens for the stop: thousands can wait at once.
  setMaxListeners(0, stopping.signal);
  const stats: ApnsStats = { sent: 0, removed: 0, retried: 0, failed: 0 };
  const policy = () => ({ maxRetries: settings.maxRetries, baseMillis: settings.retryBaseMillis, maxMillis: settings.retryMaxMillis });

  const switchedOn = (matches: readonly PushMatch[]): Promise<PushMatch[]> =>
    enabledMatches({ cascade: deps.cascade, switchName: APNS_SWITCH, fallback: false, matches, servesClient: (client) => clients.has(client) });

  async function removeDead(client: ApnsClient, match: PushMatch, why: string): Promise<void> {
    stats.removed += await removeDeadToken({
      store: deps.store(), transport: APNS_TRANSPORT_ID, token: match.token, why, what: 'APNs device token',
      fields: { client: client.options.client, device: tokenLabel(match.token) }, logger,
    });
  }

  function headersFor(client: ApnsClient, message: ApnsMessage): { headers: OutgoingHttpHeaders; generation: number | undefined } {
    const expiration = settings.expirationSeconds === 0 ? 0 : Math.floor(Date.now() / 1000) + settings.expirationSeconds;
    const headers: OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'apns-push-type': message.pushType,
      'apns-priority': String(message.priority),
      'apns-expiration': String(expiration),
    };
    if (client.options.topic !== undefined) headers['apns-topic'] = client.options.topic;
    if (message.collapseId !== undefined) headers['apns-collapse-id'] = message.collapseId;
    if (client.providerToken === undefined) return { headers, generation: undefined };
    const token = client.providerToken.current();
    headers['authorization'] = `bearer ${token.jwt}`;
    return { headers, generation: token.generation };
  }

  /** Pushes to one device, retries included; true when APNs accepted it. */
  async function push(match: PushMatch, message: ApnsMessage): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      // Looked up per attempt: a reload may have replaced the client (and closed its connection) meanwhile.
      const client = clients.get(match.client);
      if (client === undefined) return false;
      const { headers, generation } = headersFor(client, message);
      let verdict;
      let detail: string;
      let reason: string | undefined;
      try {
        const response = await client.connection.send(match.token, headers, message.payload);
        verdict = apnsVerdict(response, generation !== undefined);
        reason = response.reason;
        detail = `${response.status}${response.reason ? ` ${response.reason}` : ''}`;
      } catch (error) {
        if (stopping.signal.aborted) return false;
        verdict = 'retry' as const;
        detail = briefErrorMessage(error);
      }
      if (verdict === 'delivered') {
        stats.sent++;
        return true;
      }
      if (verdict === 'dead-token') {
        await removeDead(client, match, detail);
        return false;
      }
      if (verdict === 'rejected') {
        stats.failed++;
        const error = apnsError('PNS-APNS-0005', { client: match.client, status: detail.split(' ')[0], reason: reason ?? '(no reason)' });
        logger.error({ code: error.code, client: match.client, device: tokenLabel(match.token) }, error.message);
        return false;
      }
      if (attempt > settings.maxRetries) {
        stats.failed++;
        const error = apnsError('PNS-APNS-0006', { client: match.client, attempts: attempt, detail });
        logger.error({ code: error.code, client: match.client, device: tokenLabel(match.token) }, error.message);
        return false;
      }
      stats.retried++;
      if (verdict === 'refresh-token') {
        // A fresh JWT is the fix; no reason to wait.
        client.providerToken?.invalidate(generation!);
        continue;
      }
      logger.debug({ client: match.client, device: tokenLabel(match.token), attempt, detail }, 'APNs push will be retried');
      if (!(await abortableDelay(backoffMillis(policy(), attempt), stopping.signal))) return false;
    }
  }

  return {
    id: APNS_TRANSPORT_ID,
    async isEnabled(match) {
      return (await switchedOn([match])).length === 1;
    },
    async deliver(notification: PushNotification, matches: readonly PushMatch[]): Promise<DeliveryOutcome> {
      // Counted for this call: every match APNs did not accept failed (rejected, retries exhausted,
      // dead token, the client gone or switched off since isEnabled, the transport stopping).
      const enabled = await switchedOn(matches);
      if (enabled.length === 0) return { failed: matches.length };
      const message = apnsMessage(notification);
      const accepted = await Promise.all(enabled.map((match) => push(match, message)));
      return { failed: matches.length - accepted.filter(Boolean).length };
    },
    async validate(subscription: PushSubscription) {
      const token = subscription.token;
      if (!/^[0-9a-fA-F]{16,400}$/.test(token)) {
        throw apnsError('PNS-APNS-0007', { length: token.length, hex: /^[0-9a-fA-F]*$/.test(token) });
      }
      return subscription;
    },
    stats: () => ({ ...stats }),
    clients: () => [...clients.keys()],
    async reconfigure(nextSettings, next) {
      const previous = clients;
      settings = nextSettings;
      clients = next;
      await Promise.all([...previous.values()].map((client) => client.connection.close()));
    },
    async close() {
      stopping.abort();
      await Promise.all([...clients.values()].map((client) => client.connection.close()));
    },
  };
}

