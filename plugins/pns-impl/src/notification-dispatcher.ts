// Delivery of due notifications: one subscription lookup per (context, topic) group, implicit
// interests of transports, no echo to the source token, per-transport cascade switches.
import type { DeliveryOutcome, Logger, PushMatch, PushNotification, PushTransport, SubscriptionStore } from '@keel/plugin-sdk';

export interface DispatcherDeps {
  store: SubscriptionStore;
  /** The registered transports, highest ranking first (read on every dispatch: they come and go). */
  transports(): readonly PushTransport[];
  /** The `pns.before-deliver` waterfall. */
  beforeDeliver(notification: PushNotification): Promise<PushNotification>;
  logger: Logger;
}

export interface NotificationDispatcher {
  /** Delivers notifications (any mix of contexts and topics); returns how many matches were handed to transports. */
  dispatch(notifications: readonly PushNotification[]): Promise<number>;
  /**
   * Per transport: matches delivered, and matches not delivered (the transport's `DeliveryOutcome`
   * said so, or its `deliver` threw).
   */
  counters(): { delivered: Record<string, number>; failed: Record<string, number> };
}

/**
 * How many of `handed` matches a transport's `deliver` reports as not delivered: nothing returned
 * means none, more than `handed` is capped; undefined when the report is not a whole number ≥ 0.
 */
function failedCount(outcome: void | DeliveryOutcome, handed: number): number | undefined {
  if (outcome === undefined || outcome === null) return 0;
  const reported: unknown = (outcome as { failed?: unknown }).failed;
  if (typeof reported !== 'number' || !Number.isInteger(reported) || reported < 0) return undefined;
  return Math.min(reported, handed);
}

export function createNotificationDispatcher(deps: DispatcherDeps): NotificationDispatcher {
  const delivered: Record<string, number> = {};
  const failed: Record<string, number> = {};

  async function prepare(notification: PushNotification): Promise<PushNotification> {
    try {
      return (await deps.beforeDeliver(notification)) ?? notification;
    } catch (error) {
      deps.logger.error({ err: error, topic: notification.topic, context: notification.contextId, user: notification.userId }, 'pns.before-deliver hook failed; delivering the notification unchanged');
      return notification;
    }
  }

  async function dispatch(notifications: readonly PushNotification[]): Promise<number> {
    const prepared = await Promise.all(notifications.map(prepare));
    const groups = new Map<string, PushNotification[]>();
    for (const notification of prepared) {
      const key = `${notification.contextId}\u0000${notification.topic}`;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [notification]);
      else group.push(notification);
    }
    const byId = new Map<string, PushTransport>();
    // Highest ranking first: the first provider of an id wins, as `get` would choose.
    for (const transport of deps.transports()) if (!byId.has(transport.id)) byId.set(transport.id, transport);
    const counts = await Promise.all([...groups.values()].map((group) => dispatchGroup(group, byId)));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  async function dispatchGroup(group: readonly PushNotification[], transports: ReadonlyMap<string, PushTransport>): Promise<number> {
    const { contextId, topic } = group[0]!;
    const userIds = [...new Set(group.map((n) => n.userId))];
    let stored: PushMatch[];
    try {
      stored = await deps.store.interested(contextId, userIds, topic);
    } catch (error) {
      deps.logger.error({ err: error, context: contextId, topic, users: userIds.length }, 'subscription lookup failed; implicit interests only');
      stored = [];
    }
    const byUser = new Map<number, PushMatch[]>();
    for (const match of stored) {
      const list = byUser.get(match.userId);
      if (list === undefined) byUser.set(match.userId, [match]);
      else list.push(match);
    }
    const implicit: Array<{ transport: string; client: string }> = [];
    for (const transport of transports.values()) {
      const interest = transport.implicitInterest?.(topic);
      if (interest !== undefined) implicit.push({ transport: transport.id, client: interest.client });
    }
    const counts = await Promise.all(group.map((notification) => {
      const matches = [...(byUser.get(notification.userId) ?? [])];
      for (const { transport, client } of implicit) {
        // A stored subscription of the same client and transport already covers the user.
        if (!matches.some((m) => m.transport === transport && m.client === client)) {
          matches.push({ contextId, userId: notification.userId, token: '', client, transport, topic });
        }
      }
      return deliver(notification, matches, transports);
    }));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  async function deliver(notification: PushNotification, matches: readonly PushMatch[], transports: ReadonlyMap<string, PushTransport>): Promise<number> {
    const source = notification.sourceToken;
    const perTransport = new Map<string, PushMatch[]>();
    for (const match of matches) {
      // No echo: the client that caused the event already knows about it.
      if (source !== undefined && source !== '' && match.token === source) continue;
      const list = perTransport.get(match.transport);
      if (list === undefined) perTransport.set(match.transport, [match]);
      else list.push(match);
    }
    const counts = await Promise.all([...perTransport].map(async ([id, list]) => {
      const transport = transports.get(id);
      if (transport === undefined) {
        deps.logger.debug({ transport: id, matches: list.length, topic: notification.topic }, 'no transport registered for stored subscriptions');
        return 0;
      }
      const enabled = await enabledMatches(transport, list);
      if (enabled.length === 0) return 0;
      try {
        const outcome = await transport.deliver(notification, enabled);
        let notDelivered = failedCount(outcome, enabled.length);
        if (notDelivered === undefined) {
          // A transport bug; the matches were handed over and did not throw: counted as delivered.
          deps.logger.warn({ transport: id, outcome }, `transport '${id}' reported an invalid delivery outcome; counting its matches as delivered`);
          notDelivered = 0;
        }
        delivered[id] = (delivered[id] ?? 0) + enabled.length - notDelivered;
        failed[id] = (failed[id] ?? 0) + notDelivered;
      } catch (error) {
        failed[id] = (failed[id] ?? 0) + enabled.length;
        deps.logger.error({ err: error, transport: id, topic: notification.topic, context: notification.contextId, user: notification.userId }, `transport '${id}' failed to deliver`);
      }
      return enabled.length;
    }));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  async function enabledMatches(transport: PushTransport, matches: readonly PushMatch[]): Promise<PushMatch[]> {
    const decisions = await Promise.all(matches.map(async (match) => {
      try {
        return await transport.isEnabled(match);
      } catch (error) {
        deps.logger.error({ err: error, transport: transport.id, client: match.client, topic: match.topic }, 'transport switch could not be read; not delivering');
        return false;
      }
    }));
    return matches.filter((_, index) => decisions[index]);
  }

  return {
    dispatch,
    counters: () => ({ delivered: { ...delivered }, failed: { ...failed } }),
  };
}
