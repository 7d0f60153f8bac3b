// The `imapidle` PushManager: one IdleConnection per user, de-duplicated in this process unless
// clusterLock=none, and guarded by a LockService lock for clusterLock=redis|db.
import type { LockService, Logger, MailAccess, PushListener, PushListenerRequest, PushManager, PushNotificationService } from '@keel/plugin-sdk';
import { IdleConnection, type ListenerStatus } from './idle-connection.js';
import type { ImapIdleSettings } from './imap-idle-settings.js';
import { clusterLock, processLock, type ListenerLock } from './listener-lock.js';
import { MAIL_NEW_TOPIC } from './mail-event.js';
import { createStartQueue } from './start-queue.js';

export interface ImapIdlePushManager extends PushManager {
  /** Every running listener's state, attempts and recent retry delays. */
  listeners(): ListenerStatus[];
  /** Connection attempts waiting for a slot / running now. */
  queue(): { pending: number; active: number };
  /** IMAP connections this manager holds now (connecting, or open in IDLE). */
  openConnections(): number;
  /** Stops every listener and closes every connection (bundle stop). */
  close(): Promise<void>;
}

export interface ImapIdleManagerDeps {
  settings: ImapIdleSettings;
  logger: Logger;
  mail: MailAccess;
  pns: PushNotificationService;
  /** The cluster lock service, when one is registered. */
  locks: () => LockService | undefined;
  random?: () => number;
}

interface Running {
  connection: IdleConnection;
  /** Listener handles sharing this connection. */
  refs: number;
  /** The newest password a start brought (a session's or stored credentials); used at the next connect. */
  password: string | undefined;
}

export function createImapIdleManager(deps: ImapIdleManagerDeps): ImapIdlePushManager {
  const { settings, logger } = deps;
  const queue = createStartQueue({ maxConcurrent: settings.maxConcurrentConnects, perSecond: settings.connectsPerSecond });
  const running = new Map<string, Running>();
  let unshared = 0;
  let openConnections = 0;
  const connections = { opened: () => void openConnections++, closed: () => void openConnections-- };
  let closed = false;
  let warnedNoLockService = false;

  function lockFor(key: string): ListenerLock {
    if (settings.clusterLock !== 'redis' && settings.clusterLock !== 'db') return processLock();
    const service = deps.locks();
    if (service === undefined) {
      if (!warnedNoLockService) {
        warnedNoLockService = true;
        logger.error(
          { clusterLock: settings.clusterLock },
          `com.openexchange.push.imapidle.clusterLock=${settings.clusterLock} but no cluster LockService is registered (is the cluster bundle enabled?): falling back to local locking, so another node may run the same user's listener`,
        );
      }
      return processLock();
    }
    return clusterLock(service, `push-imapidle:${key}`, settings.lockTtlMs, logger);
  }

  function connect(request: PushListenerRequest, key: string, entry: Running): IdleConnection {
    return new IdleConnection({
      user: { contextId: request.contextId, userId: request.userId },
      settings,
      logger,
      queue,
      lock: lockFor(key),
      ...(deps.random ? { random: deps.random } : {}),
      connections,
      endpoint: () => deps.mail.resolveEndpoint(request.contextId, request.userId, entry.password === undefined ? {} : { password: entry.password }),
      emit: (messageData) => deps.pns.handle({ contextId: request.contextId, userId: request.userId, topic: MAIL_NEW_TOPIC, messageData }),
    });
  }

  function handle(key: string, entry: Running): PushListener {
    let stopped = false;
    return {
      async stop() {
        if (stopped) return;
        stopped = true;
        entry.refs--;
        if (entry.refs > 0) return;
        if (running.get(key) === entry) running.delete(key);
        await entry.connection.stop();
      },
    };
  }

  return {
    name: 'imapidle',
    holdsResources: true,
    supportsPermanentListeners: () => settings.supportsPermanentListeners,
    async startListener(request) {
      if (closed) return undefined;
      // clusterLock=none: no guard at all, every start opens its own connection.
      const key = settings.clusterLock === 'none' ? `${request.contextId}:${request.userId}#${++unshared}` : `${request.contextId}:${request.userId}`;
      const existing = running.get(key);
      if (existing !== undefined) {
        existing.refs++;
        if (request.password !== undefined) existing.password = request.password;
        return handle(key, existing);
      }
      const entry = { refs: 1, password: request.password } as Running;
      entry.connection = connect(request, key, entry);
      running.set(key, entry);
      entry.connection.start();
      return handle(key, entry);
    },
    listeners: () => [...running.values()].map((entry) => ({ ...entry.connection.status, retryDelaysMs: [...entry.connection.status.retryDelaysMs] })),
    queue: () => ({ pending: queue.pending, active: queue.active }),
    openConnections: () => openConnections,
    async close() {
      closed = true;
      const entries = [...running.values()];
      running.clear();
      const stopping = entries.map((entry) => entry.connection.stop()); // marks them stopped at once
      queue.close();
      await Promise.all(stopping);
    },
  };
}
