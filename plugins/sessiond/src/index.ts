import {
  authenticationServiceRef, defineBundle, sessionAddedHook, sessionRemovedHook, sessionServiceRef, sessionStorageRef,
  userDeletedHook, userServiceRef, type SessionRemoval,
} from '@keel/plugin-sdk';
import { registerLoginModule } from './login-module.js';
import { createMemorySessionStorage } from './memory-session-storage.js';
import { createSessionService } from './session-service.js';
import { readSessionSettings } from './session-settings.js';

export default defineBundle({
  provides: [sessionServiceRef, sessionStorageRef],
  requires: { auth: authenticationServiceRef },
  optional: { users: userServiceRef },
  start({ services, config, hooks, http, logger, register, registry, scheduler }) {
    let settings = readSessionSettings(config);

    // Ranking 0: a cluster bundle registers a shared storage above it; the service asks for the
    // highest-ranked storage at every call, so the switch needs no restart.
    const memory = createMemorySessionStorage();
    register(sessionStorageRef, memory, { ranking: 0, properties: { type: 'memory' } });
    const storages = registry.track(sessionStorageRef);

    const addedHook = hooks.get(sessionAddedHook);
    const removedHook = hooks.get(sessionRemovedHook);
    const announceRemoval = async (removal: SessionRemoval) => {
      try {
        await removedHook.promise(removal);
      } catch (error) {
        logger.error({ session: removal.session.sessionId, err: { message: (error as Error).message } }, 'a sessions.removed listener failed');
      }
    };

    const sessions = createSessionService({
      storage: () => storages.get() ?? memory,
      settings: () => settings,
      async onAdded(session) {
        try {
          await addedHook.promise(session);
        } catch (error) {
          logger.error({ session: session.sessionId, err: { message: (error as Error).message } }, 'a sessions.added listener failed');
        }
      },
      onRemoved: announceRemoval,
      logger,
    });

    // Removals a shared storage observes elsewhere (another node, an expiry in the store).
    const remoteListeners = new Map<number, () => void>();
    storages.subscribe((event) => {
      if (event.type === 'added') {
        const unsubscribe = event.entry.service.onRemoved?.((removal) => void announceRemoval(removal));
        if (unsubscribe !== undefined) remoteListeners.set(event.entry.serviceId, unsubscribe);
      } else if (event.type === 'removed') {
        remoteListeners.get(event.entry.serviceId)?.();
        remoteListeners.delete(event.entry.serviceId);
      }
    });

    const scheduleSweep = () => scheduler.every(settings.sweepIntervalMs, async () => {
      const removed = await sessions.sweep();
      if (removed > 0) logger.debug({ removed }, 'swept idle and expired sessions');
    }, { name: 'session-sweep' });
    let cancelSweep = scheduleSweep();
    const stopReload = config.onReload(() => {
      const previous = settings.sweepIntervalMs;
      settings = readSessionSettings(config);
      if (settings.sweepIntervalMs !== previous) {
        cancelSweep();
        cancelSweep = scheduleSweep();
      }
    });

    hooks.get(userDeletedHook).tapPromise('sessiond', async (event) => {
      await sessions.removeUser(event.contextId, event.userId, 'user-deleted');
    });

    register(sessionServiceRef, sessions);
    registerLoginModule({ http, sessions, auth: services.auth, settings: () => settings, users: () => services.users.get() });

    return () => {
      stopReload();
      for (const unsubscribe of remoteListeners.values()) unsubscribe();
      remoteListeners.clear();
      memory.clear();
    };
  },
});
