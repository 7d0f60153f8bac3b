import { defineBundle, lockServiceRef, mailAccessRef, metricsSourceRef, pushManagerRef, pushNotificationServiceRef } from '@keel/plugin-sdk';
import { createImapIdleManager } from './imap-idle-manager.js';
import { readImapIdleSettings } from './imap-idle-settings.js';
import { createImapIdleMetricsSource } from './metrics-source.js';

export type { ImapIdlePushManager } from './imap-idle-manager.js';
export type { ListenerState, ListenerStatus } from './idle-connection.js';

/**
 * push-imapidle: the `imapidle` PushManager. Listeners are started by the push framework; each holds
 * one IMAP connection in IDLE. Settings are read at start (`com.openexchange.push.imapidle.*`);
 * a reload restarts nothing, the bundle is restarted to apply new ones.
 */
export default defineBundle({
  provides: [pushManagerRef, metricsSourceRef],
  requires: { mail: mailAccessRef, pns: pushNotificationServiceRef },
  optional: { locks: lockServiceRef },
  start({ services, config, logger, register }) {
    const settings = readImapIdleSettings(config);
    const manager = createImapIdleManager({
      settings,
      logger,
      mail: services.mail,
      pns: services.pns,
      locks: () => services.locks.get(),
    });
    register(pushManagerRef, manager, { properties: { name: manager.name } });
    register(metricsSourceRef, createImapIdleMetricsSource(() => manager.openConnections()));
    logger.info(
      { folder: settings.folder, pushMode: settings.pushMode, clusterLock: settings.clusterLock, permanent: settings.supportsPermanentListeners },
      'imapidle push manager ready',
    );
    return () => manager.close();
  },
});
