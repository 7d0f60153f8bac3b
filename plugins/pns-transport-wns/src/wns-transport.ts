import { setMaxListeners } from 'node:events';
import { abortableDelay, backoffMillis, briefErrorMessage, createHttpsExchange, enabledMatches, removeDeadToken, retryAfterMillis, type ConfigCascade, type DeliveryOutcome, type HttpsAnswer, type HttpsExchange, type Logger, type PushMatch, type PushNotification, type PushSubscription, type PushTransport, type SubscriptionStore } from '@keel/plugin-sdk';
import { channelLabel, checkChannelUri } from './channel-uri.js';
import { isWnsCode, wnsError } from './errors.js';
import { createAccessTokenSource, type AccessTokenSource } from './wns-access-token.js';
import { wnsNotification, type WnsNotification } from './wns-notification.js';
import type { WnsClientOptions } from './wns-options.js';
import { WNS_SWITCH, type WnsSettings } from './wns-settings.js';

export const WNS_TRANSPORT_ID = 'wns';

export interface WnsStats {
  sent: number;
  removed: number;
  retried: number;
  failed: number;
}

export interface WnsTransport extends PushTransport {
  stats(): WnsStats;
  clients(): string[];
  reconfigure(settings: WnsSettings, clients: ReadonlyMap<string, WnsClientOptions>): void;
  close(): void;
}

type Verdict = 'delivered' | 'dead' | 'refresh-token' | 'retry' | 'rejected';

/**
 * WNS answers: 200 delivered; 404 (channel not recognised) and 410 (channel expired) mean the
 * channel is dead; 401 asks for a new access token; 406 (throttled), 500 and 503 are retried; 400,
 * 403 (channel of another app), 405 and 413 are logged, not retried. `X-WNS-Error-Description`
 * names the problem.
 */
export function wnsVerdict(answer: HttpsAnswer): { verdict: Verdict; reason: string } {
  const description = answer.headers['x-wns-error-description'];
  const reason = `${answer.status}${typeof description === 'string' && description !== '' ? ` ${description}` : ''}`;
  if (answer.status === 200) return { verdict: 'delivered', reason };
  if (answer.status === 404 || answer.status === 410) return { verdict: 'dead', reason };
  if (answer.status === 401) return { verdict: 'refresh-token', reason };
  if (answer.status === 406 || answer.status === 429 || answer.status >= 500) return { verdict: 'retry', reason };
  return { verdict: 'rejected', reason };
}

/** Transport `wns`: Windows Push Notification Services, one POST per channel URI with the client's bearer token. */
export function createWnsTransport(deps: {
  settings: WnsSettings;
  clients: ReadonlyMap<string, WnsClientOptions>;
  cascade: ConfigCascade;
  store(): SubscriptionStore | undefined;
  logger: Logger;
}): WnsTransport {
  const { logger } = deps;
  const stopping = new AbortController();
  setMaxListeners(0, stopping.signal);
  const stats: WnsStats = { sent: 0, removed: 0, retried: 0, failed: 0 };
  let settings = deps.settings;
  let http: HttpsExchange = exchangeFor(settings);
  // Token sources and retries go through this, so after a reload their next request uses the new agent.
  const currentHttp: HttpsExchange = { post: (...args) => http.post(...args), close: () => {} };
  let clients = runtimes(deps.clients);

  function exchangeFor(current: WnsSettings): HttpsExchange {
    return createHttpsExchange({ ca: current.ca, timeoutMillis: current.requestTimeoutMillis, maxSockets: current.maxConnections });
  }

  function runtimes(options: ReadonlyMap<string, WnsClientOptions>): Map<string, AccessTokenSource> {
    return new Map([...options].map(([id, client]) => [id, createAccessTokenSource({ client: id, sid: client.sid, secret: client.secret, tokenUrl: () => settings.tokenUrl, http: currentHttp })] as const));
  }

  const switchedOn = (matches: readonly PushMatch[]): Promise<PushMatch[]> =>
    enabledMatches({ cascade: deps.cascade, switchName: WNS_SWITCH, fallback: false, matches, servesClient: (client) => clients.has(client) });

  async function removeDeadChannel(match: PushMatch, why: string): Promise<void> {
    stats.removed += await removeDeadToken({
      store: deps.store(), transport: WNS_TRANSPORT_ID, token: match.token, why, what: 'WNS channel',
      fields: { client: match.client, channel: channelLabel(match.token) }, logger,
    });
  }

  function fail(match: PushMatch, error: ReturnType<typeof wnsError>): void {
    stats.failed++;
    logger.error({ code: error.code, client: match.client, channel: channelLabel(match.token) }, error.message);
  }

  /** One access token before fanning out, so a refused secret is reported once and not per channel. */
  async function tokenReady(client: string, matches: readonly PushMatch[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const tokens = clients.get(client);
      if (tokens === undefined) return false;
      try {
        await tokens.get();
        return true;
      } catch (error) {
        if (stopping.signal.aborted) return false;
        // 4xx from the token endpoint (invalid_client …) will not get better by retrying.
        if (attempt > settings.maxRetries || (isWnsCode(error, 'PNS-WNS-0002') && /HTTP 4\d\d/.test(briefErrorMessage(error)))) {
          stats.failed += matches.length;
          logger.error({ code: (error as ReturnType<typeof wnsError>).code, client, channels: matches.length }, briefErrorMessage(error));
          return false;
        }
        stats.retried += matches.length;
        const policy = { maxRetries: settings.maxRetries, baseMillis: settings.retryBaseMillis, maxMillis: settings.retryMaxMillis };
        if (!(await abortableDelay(backoffMillis(policy, attempt), stopping.signal))) return false;
      }
    }
  }

  /** Pushes to one channel, retries included; true when WNS accepted it. */
  async function push(match: PushMatch, notification: WnsNotification): Promise<boolean> {
    try {
      checkChannelUri(match.token, settings.channelHosts);
    } catch (error) {
      // Stored before validation existed, or the allowed hosts changed: never send the token there.
      fail(match, error as ReturnType<typeof wnsError>);
      return false;
    }
    for (let attempt = 1; ; attempt++) {
      const tokens = clients.get(match.client);
      if (tokens === undefined) return false;
      const policy = { maxRetries: settings.maxRetries, baseMillis: settings.retryBaseMillis, maxMillis: settings.retryMaxMillis };
      let verdict: Verdict;
      let reason: string;
      let waitAtLeast: number | undefined;
      let generation: number | undefined;
      try {
        const accessToken = await tokens.get();
        generation = accessToken.generation;
        const headers: Record<string, string> = {
          authorization: `Bearer ${accessToken.value}`,
          'content-type': notification.contentType,
          'x-wns-type': notification.type,
        };
        if (settings.timeToLiveSeconds > 0) headers['x-wns-ttl'] = String(settings.timeToLiveSeconds);
        const answer = await currentHttp.post(match.token, headers, notification.body);
        ({ verdict, reason } = wnsVerdict(answer));
        waitAtLeast = retryAfterMillis(answer.headers);
      } catch (error) {
        if (stopping.signal.aborted) return false;
        verdict = 'retry';
        reason = briefErrorMessage(error);
      }
      if (verdict === 'delivered') {
        stats.sent++;
        return true;
      }
      if (verdict === 'dead') {
        await removeDeadChannel(match, reason);
        return false;
      }
      if (verdict === 'rejected') {
        fail(match, wnsError('PNS-WNS-0003', { client: match.client, status: reason.split(' ')[0], reason: reason.split(' ').slice(1).join(' ') || '(no description)' }));
        return false;
      }
      if (attempt > policy.maxRetries) {
        fail(match, wnsError('PNS-WNS-0004', { client: match.client, attempts: attempt, detail: reason }));
        return false;
      }
      stats.retried++;
      if (verdict === 'refresh-token') {
        if (generation !== undefined) tokens.invalidate(generation);
        continue;
      }
      logger.debug({ client: match.client, channel: channelLabel(match.token), attempt, reason }, 'WNS push will be retried');
      if (!(await abortableDelay(backoffMillis(policy, attempt, waitAtLeast), stopping.signal))) return false;
    }
  }

  return {
    id: WNS_TRANSPORT_ID,
    async isEnabled(match) {
      return (await switchedOn([match])).length === 1;
    },
    async deliver(notification: PushNotification, matches: readonly PushMatch[]): Promise<DeliveryOutcome> {
      // Counted for this call: every match WNS did not accept failed (rejected, retries exhausted,
      // dead channel, a refused channel URI or client secret, the client gone or switched off since
      // isEnabled, the transport stopping).
      const enabled = await switchedOn(matches);
      if (enabled.length === 0) return { failed: matches.length };
      const message = wnsNotification(notification);
      const byClient = new Map<string, PushMatch[]>();
      for (const match of enabled) byClient.set(match.client, [...(byClient.get(match.client) ?? []), match]);
      const accepted = await Promise.all([...byClient].map(async ([client, list]) => {
        if (!(await tokenReady(client, list))) return 0;
        return (await Promise.all(list.map((match) => push(match, message)))).filter(Boolean).length;
      }));
      return { failed: matches.length - accepted.reduce((sum, count) => sum + count, 0) };
    },
    async validate(subscription: PushSubscription) {
      checkChannelUri(subscription.token, settings.channelHosts);
      return subscription;
    },
    stats: () => ({ ...stats }),
    clients: () => [...clients.keys()],
    reconfigure(nextSettings, next) {
      const previous = http;
      settings = nextSettings;
      http = exchangeFor(settings);
      clients = runtimes(next);
      setTimeout(() => previous.close(), nextSettings.requestTimeoutMillis).unref();
    },
    close() {
      stopping.abort();
      http.close();
    },
  };
}
