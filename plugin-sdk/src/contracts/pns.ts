import { AsyncSeriesWaterfallHook } from 'tapable';
import { createHookRef } from './hooks.js';
import { createServiceRef } from '../service-ref.js';

/** One event for one user, e.g. topic `ox:mail:new` with the mail's folder, id, sender and subject. */
export interface PushNotification {
  contextId: number;
  userId: number;
  /** `ox:mail:new`, `ox:calendar:updates` … */
  topic: string;
  messageData: Record<string, unknown>;
  /** The client token that caused the event: it is not echoed back to that token. */
  sourceToken?: string;
}

/** A stored interest of one device or client in some topics over one transport. Key: (contextId, userId, token, client). */
export interface PushSubscription {
  contextId: number;
  userId: number;
  /** Device token, webhook URI, … */
  token: string;
  /** Client id, e.g. `open-xchange-appsuite`, `open-xchange-mobile-api-facade`, or a webhook id. */
  client: string;
  /** Transport id: `websocket`, `webhook`, `apn`, `gcm`, `wns`. */
  transport: string;
  /** Exact topics, `prefix:*` wildcards, or `*`. */
  topics: string[];
  /** Epoch ms after which the subscription is ignored and cleaned up. */
  expires?: number;
  meta?: Record<string, unknown>;
}

/** A subscription (stored or implicit) that matched a notification. */
export interface PushMatch {
  contextId: number;
  userId: number;
  token: string;
  client: string;
  transport: string;
  topic: string;
  meta?: Record<string, unknown>;
}

/**
 * The Push Notification Service: any bundle calls `handle` and the notification is buffered,
 * aggregated and delivered through every transport enabled for the user, client and topic.
 * Nothing is dropped: when the processing queue is full the caller does the work.
 */
export interface PushNotificationService {
  handle(notification: PushNotification): Promise<void>;
  /** Delivers a notification at once, skipping the buffer (admin `pns send`). Returns how many matches were attempted. */
  deliverNow(notification: PushNotification): Promise<{ matches: number }>;
  stats(): PushStats;
}

export interface PushStats {
  buffered: number;
  queued: number;
  inFlight: number;
  handled: number;
  /** Matches delivered, per transport id. */
  delivered: Record<string, number>;
  /** Matches not delivered per transport id: reported in a `DeliveryOutcome`, or the transport's `deliver` threw. */
  failed: Record<string, number>;
}

/**
 * Errors: `PNS-0001` invalid topic (400), `PNS-0002` unknown transport (400), `PNS-0003` too many
 * subscriptions (409), `PNS-0004` invalid subscription field (400).
 */
export interface SubscriptionStore {
  subscribe(subscription: PushSubscription): Promise<void>;
  /** Removes by key; `token` undefined removes every token of that client and transport for the user. Returns how many were removed. */
  unsubscribe(key: { contextId: number; userId: number; client: string; transport: string; token?: string }): Promise<number>;
  /** Removes a token wherever it is (a transport learned it is dead: 410, 404, Unregistered). */
  removeToken(transport: string, token: string): Promise<number>;
  /** Subscriptions of any of `userIds` in a context interested in `topic`, not expired. */
  interested(contextId: number, userIds: readonly number[], topic: string): Promise<PushMatch[]>;
  list(contextId: number, userId: number): Promise<PushSubscription[]>;
}

/**
 * What a transport's `deliver` reports about the matches it was given. The PNS counts
 * `matches − failed` in `keel_pns_delivered_total{transport}` and `failed` in
 * `keel_pns_failed_total{transport}` (a `failed` above the number of matches is capped).
 */
export interface DeliveryOutcome {
  /**
   * Matches of this `deliver` call that were not delivered once the transport's own retries are
   * over — every match not accepted by the vendor, receiver or socket layer: rejected, retries
   * exhausted, a token or URI the vendor reports dead (410, UNREGISTERED, 404 …: removed from the
   * store, and NOT delivered, so failed), a target the transport refuses to call, a client or
   * webhook gone or switched off since `isEnabled`, retries cut short by the transport stopping.
   * Counts this call only, not the transport's totals since start. A transport whose retries run on
   * after `deliver` returns counts what is known when it returns.
   */
  failed: number;
}

/** One delivery channel. Registered as a multiple service; the PNS asks every transport whose `id` a match names. */
export interface PushTransport {
  /** `websocket`, `webhook`, `apn`, `gcm`, `wns`. */
  readonly id: string;
  /**
   * Topics this transport's clients receive without a stored subscription (the App Suite UI over
   * Socket.IO gets `ox:mail:*` and `ox:calendar:*`). The PNS adds one implicit match per user.
   */
  implicitInterest?(topic: string): { client: string } | undefined;
  /** Whether delivery is on for a user, client and topic (config cascade with suffix fallback). */
  isEnabled(match: PushMatch): Promise<boolean>;
  /**
   * Delivers one notification to its matches (all of this transport), retries included. Failures
   * are the transport's to log; it reports how many matches were not delivered by resolving to a
   * `DeliveryOutcome`. Resolving to nothing means every match was delivered (transports written
   * before `DeliveryOutcome` existed keep working: the return type only widened, the
   * `pns.transport` ref version stays 1.0.0). Throwing counts every match as failed.
   */
  deliver(notification: PushNotification, matches: readonly PushMatch[]): Promise<void | DeliveryOutcome>;
  /** Validates a subscription before it is stored (webhook URI checks, TTL, limits); throws a KeelError. May rewrite it. */
  validate?(subscription: PushSubscription): Promise<PushSubscription>;
  /**
   * Whether several users may hold this subscription's token at once (a webhook's shared URI).
   * When absent or false, a token moves to its newest subscriber: the store removes other users'
   * subscriptions with the same transport and token.
   */
  sharesToken?(subscription: PushSubscription): boolean;
}

export const pushNotificationServiceRef = createServiceRef<PushNotificationService>({ id: 'pns.service', version: '1.0.0' });
export const subscriptionStoreRef = createServiceRef<SubscriptionStore>({ id: 'pns.subscriptions', version: '1.0.0' });
export const pushTransportRef = createServiceRef<PushTransport>({ id: 'pns.transport', version: '1.0.0', multiple: true });

/** Runs before delivery; a tap may change the notification or return undefined to keep it. */
export const pnsBeforeDeliverHook = createHookRef({
  id: 'pns.before-deliver',
  create: () => new AsyncSeriesWaterfallHook<[PushNotification]>(['notification']),
});

/** `[A-Za-z0-9_-]` and `:`, no leading or trailing `:`, no `::`; or `*`, or a `prefix:*` wildcard. */
export function isValidTopic(topic: string): boolean {
  if (topic === '*') return true;
  const body = topic.endsWith(':*') ? topic.slice(0, -2) : topic;
  return /^[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)*$/.test(body);
}

/** Whether a subscription topic (exact, `prefix:*` or `*`) covers a notification topic. */
export function topicMatches(pattern: string, topic: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith(':*')) return topic.startsWith(pattern.slice(0, -1));
  return pattern === topic;
}
