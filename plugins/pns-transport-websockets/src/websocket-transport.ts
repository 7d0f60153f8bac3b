import { topicMatches, type ConfigCascade, type DeliveryOutcome, type Logger, type PushMatch, type PushNotification, type PushTransport, type WebSocketService } from '@keel/plugin-sdk';

export const TRANSPORT_ID = 'websocket';
/** The App Suite UI's client id. */
export const APPSUITE_CLIENT = 'open-xchange-appsuite';
/** Cascade switch with suffix fallback `<base>.<client>.<topic>` → `<base>.<client>` → `<base>`. */
export const ENABLED_PROPERTY = 'com.openexchange.pns.transport.websocket.enabled';
/** What the App Suite UI receives without a stored subscription. */
export const IMPLICIT_TOPICS = ['ox:mail:*', 'ox:calendar:*'] as const;

export interface WebSocketTransportOptions {
  sockets: WebSocketService;
  cascade: ConfigCascade;
  logger: Logger;
}

/** Emits (one per user and notification) since start, for logs and tests. */
export interface TransportCounts {
  delivered: number;
  failed: number;
}

/**
 * The `websocket` transport: a notification becomes the Socket.IO event `[topic, messageData]`
 * on every socket of the user (`42["ox:mail:new",{…}]`), once per user however many matches name it.
 */
export function createWebSocketTransport(options: WebSocketTransportOptions): PushTransport & { readonly counts: TransportCounts } {
  const { sockets, cascade, logger } = options;
  const counts: TransportCounts = { delivered: 0, failed: 0 };

  return {
    id: TRANSPORT_ID,
    counts,

    implicitInterest(topic) {
      return IMPLICIT_TOPICS.some((pattern) => topicMatches(pattern, topic)) ? { client: APPSUITE_CLIENT } : undefined;
    },

    async isEnabled(match: PushMatch) {
      const view = await cascade.view({ contextId: match.contextId, userId: match.userId });
      return view.switchFor(ENABLED_PROPERTY, true, match.client, match.topic);
    },

    async deliver(notification: PushNotification, matches: readonly PushMatch[]): Promise<DeliveryOutcome> {
      // One emit per user, however many of the user's matches name it.
      const users = new Map<string, { contextId: number; userId: number; matches: number }>();
      for (const match of matches) {
        const key = `${match.contextId}:${match.userId}`;
        const user = users.get(key);
        if (user === undefined) users.set(key, { contextId: match.contextId, userId: match.userId, matches: 1 });
        else user.matches++;
      }
      let failed = 0;
      await Promise.all([...users.values()].map(async ({ contextId, userId, matches: userMatches }) => {
        try {
          await sockets.emitToUser(contextId, userId, notification.topic, notification.messageData);
          counts.delivered++;
        } catch (error) {
          counts.failed++;
          // The one emit stood for every match of the user: they all failed.
          failed += userMatches;
          logger.warn({ context: contextId, user: userId, topic: notification.topic, err: { message: (error as Error).message } }, 'web socket delivery failed');
        }
      }));
      return { failed };
    },
  };
}
