import {
  contextServiceRef, defineBundle, directoryChangedHook, pushManagerRef, pushNotificationServiceRef, userDeletedHook, userServiceRef,
} from '@keel/plugin-sdk';
import { createMailNotifyManager } from './mailnotify-manager.js';
import { readMailNotifySettings } from './mailnotify-settings.js';
import { openUdpReceiver, type UdpReceiver } from './udp-receiver.js';

export type { MailNotifyPushManager, MailNotifyStats } from './mailnotify-manager.js';

/**
 * push-mailnotify: the `mailnotify` PushManager fed by Cyrus notifyd UDP packets
 * (`com.openexchange.push.mail.notify.*`). The socket is opened at start and closed at stop.
 */
export default defineBundle({
  provides: [pushManagerRef],
  requires: { pns: pushNotificationServiceRef, users: userServiceRef, contexts: contextServiceRef },
  async start({ services, config, hooks, logger, register }) {
    const settings = readMailNotifySettings(config);
    let receiver: UdpReceiver | undefined;
    const manager = createMailNotifyManager({
      settings, logger, pns: services.pns, users: services.users, contexts: services.contexts, address: () => receiver?.address(),
    });
    receiver = await openUdpReceiver({
      host: settings.host,
      port: settings.port,
      multicast: settings.multicast,
      multicastInterface: settings.multicastInterface,
      logger,
      onPacket: (data, from) => manager.receive(data, from),
    });
    hooks.get(directoryChangedHook).tapPromise('push-mailnotify', async (event) => {
      await manager.refresh(event.contextId, event.userId).catch((error: unknown) => {
        logger.warn({ context: event.contextId, err: { message: (error as Error).message } }, 'could not refresh mailnotify names after a directory change');
      });
    });
    hooks.get(userDeletedHook).tapPromise('push-mailnotify', async (event) => manager.forget(event));
    register(pushManagerRef, manager, { properties: { name: manager.name } });
    const bound = receiver.address();
    logger.info({ address: bound.address, port: bound.port, multicast: settings.multicast, delayMs: settings.delayMs }, 'listening for notifyd packets');
    return async () => {
      manager.close();
      await receiver?.close();
    };
  },
});
