import {
  adminAuthRef, databaseRef, defineBundle, metricsSourceRef, pnsBeforeDeliverHook, pushNotificationServiceRef, pushTransportRef,
  sessionServiceRef, subscriptionStoreRef, userDeletedHook, type PushNotificationService, type SubscriptionStore,
} from '@keel/plugin-sdk';
import { registerAdminSendRoute } from './admin-send-route.js';
import { systemClock, type PnsClock } from './clock.js';
import { createPnsMetricsSource } from './metrics-source.js';
import { createNotificationDispatcher } from './notification-dispatcher.js';
import { readPnsSettings } from './pns-settings.js';
import { createPushNotificationService } from './push-notification-service.js';
import { createSqlSubscriptionStore } from './sql-subscription-store.js';
import { registerSubscriptionActions } from './subscription-actions.js';
import { subscriptionMigrations } from './subscription-schema.js';

export type { PnsClock } from './clock.js';
export { PNS_PROPERTY } from './pns-settings.js';

export interface PnsBundleOptions {
  /** Replaces wall-clock time and the buffer and cleanup timers (tests move time by hand). */
  clock?: PnsClock;
}

/** The pns-impl bundle; the default export uses the system clock. */
export function createPnsBundle(options: PnsBundleOptions = {}) {
  return defineBundle({
    provides: [pushNotificationServiceRef, subscriptionStoreRef, metricsSourceRef],
    requires: { database: databaseRef, sessions: sessionServiceRef, adminAuth: adminAuthRef },
    // Optional, so transports start before pns-impl and stop after it: the shutdown drain still reaches them.
    optional: { transports: pushTransportRef },
    async start({ services, register, config, logger, http, hooks, scheduler }) {
      let settings = readPnsSettings(config);
      const clock = options.clock ?? systemClock(scheduler);
      const { applied } = await services.database.migrate('pns-impl', subscriptionMigrations);
      if (applied.length > 0) logger.info({ applied }, 'subscription tables migrated');

      const store = createSqlSubscriptionStore({
        database: services.database,
        now: () => clock.now(),
        maxPerClient: () => settings.maxSubscriptionsPerClient,
        sharesToken: (subscription) => services.transports.all().find((t) => t.id === subscription.transport)?.sharesToken?.(subscription) ?? false,
      });
      const beforeDeliver = hooks.get(pnsBeforeDeliverHook);
      const dispatcher = createNotificationDispatcher({
        store,
        transports: () => services.transports.all(),
        beforeDeliver: (notification) => beforeDeliver.promise(notification),
        logger,
      });
      const service = createPushNotificationService({ settings, clock, dispatcher, logger });
      service.start();

      const cancelCleanup = clock.every(settings.subscriptionCleanupInterval, async () => {
        const removed = await store.deleteExpired();
        if (removed > 0) logger.info({ removed }, 'expired push subscriptions deleted');
      }, 'pns-expired-subscriptions');
      hooks.get(userDeletedHook).tapPromise('pns-impl', async ({ contextId, userId }) => {
        await store.deleteUser(contextId, userId);
      });
      const stopReload = config.onReload(() => {
        const next = readPnsSettings(config);
        if (next.delayDuration !== settings.delayDuration || next.numProcessorThreads !== settings.numProcessorThreads
          || next.maxProcessorTasks !== settings.maxProcessorTasks || next.timerFrequency !== settings.timerFrequency) {
          logger.warn('changed buffering or processing properties take effect when pns-impl restarts');
        }
        settings = { ...settings, maxSubscriptionsPerClient: next.maxSubscriptionsPerClient };
      });

      // Only the contract goes into the registry, not the runtime's start/stop.
      const publicStore: SubscriptionStore = {
        subscribe: (s) => store.subscribe(s),
        unsubscribe: (key) => store.unsubscribe(key),
        removeToken: (transport, token) => store.removeToken(transport, token),
        interested: (contextId, userIds, topic) => store.interested(contextId, userIds, topic),
        list: (contextId, userId) => store.list(contextId, userId),
      };
      const publicService: PushNotificationService = {
        handle: (notification) => service.handle(notification),
        deliverNow: (notification) => service.deliverNow(notification),
        stats: () => service.stats(),
      };
      register(subscriptionStoreRef, publicStore);
      register(pushNotificationServiceRef, publicService);
      register(metricsSourceRef, createPnsMetricsSource(service, () => services.transports.all().map((t) => t.id)));
      registerSubscriptionActions({ http, sessions: services.sessions, store, transports: services.transports, now: () => clock.now() });
      registerAdminSendRoute({ http, adminAuth: services.adminAuth, pns: publicService });

      return async () => {
        stopReload();
        cancelCleanup();
        // Nothing queued is lost: the buffer is flushed and the queue drained before the bundle stops.
        await service.stop();
      };
    },
  });
}

export default createPnsBundle();
