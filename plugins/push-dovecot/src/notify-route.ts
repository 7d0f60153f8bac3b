import type { ConfigCascade, HttpService, Logger, PushNotificationService, PushUser, RestAuth } from '@keel/plugin-sdk';
import { ENABLED_PROPERTY } from './dovecot-settings.js';
import { mailNewPayload } from './mail-new-payload.js';
import { parseNotifyEvent, type MessageNewEvent } from './notify-event.js';
import { createRoutingQueue } from './routing-queue.js';

export const NOTIFY_PATHS = ['/preliminary/http-notify/v1/notify', '/rest/http-notify/v1/notify'] as const;

export interface NotifyRouteOptions {
  http: HttpService;
  restAuth: RestAuth;
  pns: PushNotificationService;
  cascade: ConfigCascade;
  resolveUser: (name: string) => Promise<PushUser | undefined>;
  logger: Logger;
  maxBodyBytes: number;
  routingConcurrency: number;
  maxQueued: number;
}

/**
 * Dovecot's OX driver calls this while it delivers mail and waits for the answer (2 s, two
 * attempts), so the answer goes out as soon as the body is checked; finding the user and handing
 * `ox:mail:new` to the PNS happen afterwards. Unknown users are logged and answered 200: Dovecot
 * must not retry for them.
 */
export function registerNotifyRoute(options: NotifyRouteOptions) {
  const { logger, pns } = options;

  async function route(event: MessageNewEvent): Promise<void> {
    try {
      const user = await options.resolveUser(event.user);
      if (user === undefined) {
        logger.warn({ dovecotUser: event.user, folder: event.folder, uid: event.uid }, 'Dovecot notified a user Keel does not know; dropped');
        return;
      }
      const view = await options.cascade.view(user);
      if (!view.getBoolean(ENABLED_PROPERTY, true)) {
        logger.debug({ context: user.contextId, user: user.userId }, `${ENABLED_PROPERTY} is false for this user; notification dropped`);
        return;
      }
      await pns.handle({ contextId: user.contextId, userId: user.userId, topic: 'ox:mail:new', messageData: { ...mailNewPayload(event) } });
    } catch (error) {
      logger.error({ dovecotUser: event.user, err: { code: (error as { code?: string }).code, message: (error as Error).message } }, 'Dovecot notification could not be routed');
    }
  }

  const queue = createRoutingQueue<MessageNewEvent>({ concurrency: options.routingConcurrency, maxQueued: options.maxQueued, work: route });

  for (const path of NOTIFY_PATHS) {
    options.http.route({
      method: ['PUT', 'POST'],
      path,
      bodyLimit: options.maxBodyBytes,
      async handler(request) {
        await options.restAuth.verify(request);
        const parsed = parseNotifyEvent(request.body, request.rawBody);
        if (parsed.kind === 'ignored') {
          logger.debug({ event: parsed.event }, 'Dovecot event ignored');
        } else {
          await queue.accept(parsed.event);
        }
        return { success: true };
      },
    });
  }
  return queue;
}
