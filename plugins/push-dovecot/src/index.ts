import {
  contextServiceRef, defineBundle, mailAccessRef, pushManagerRef, pushNotificationServiceRef, restAuthRef, userDeletedHook, userServiceRef,
} from '@keel/plugin-sdk';
import { createDovecotPushManager } from './dovecot-push-manager.js';
import { readDovecotSettings, type DovecotSettings } from './dovecot-settings.js';
import { registerNotifyRoute } from './notify-route.js';
import { cachedResolver, createUserResolver } from './user-resolver.js';

/**
 * Mail push through Dovecot's own OX push driver: the notify endpoint Dovecot calls on every
 * delivery to INBOX, and the `dovecot` push manager that registers users with Dovecot by METADATA.
 */
export default defineBundle({
  provides: [pushManagerRef],
  requires: {
    restAuth: restAuthRef,
    pns: pushNotificationServiceRef,
    users: userServiceRef,
    contexts: contextServiceRef,
    mail: mailAccessRef,
  },
  start({ services, cascade, config, hooks, http, logger, register, scheduler }) {
    let settings: DovecotSettings = readDovecotSettings(config);
    const stopReload = config.onReload(() => {
      settings = readDovecotSettings(config);
    });
    const users = cachedResolver(createUserResolver(services.contexts, services.users), { ttlMs: settings.userCacheTtlMs, maxEntries: 10_000 });
    hooks.get(userDeletedHook).tapPromise('push-dovecot', async (user) => users.forget(user));
    const queue = registerNotifyRoute({
      http,
      restAuth: services.restAuth,
      pns: services.pns,
      cascade,
      resolveUser: (name) => users.resolve(name),
      logger,
      maxBodyBytes: settings.maxBodyBytes,
      routingConcurrency: settings.routingConcurrency,
      maxQueued: settings.maxQueued,
    });
    register(pushManagerRef, createDovecotPushManager({ mail: services.mail, cascade, scheduler, settings: () => settings, logger }), { properties: { name: 'dovecot' } });
    return async () => {
      stopReload();
      // Notifications already answered are still handed to the PNS; a request still being checked
      // when the stop began is refused (503, Dovecot retries) instead of answered and then lost.
      queue.close();
      await queue.idle();
    };
  },
});
