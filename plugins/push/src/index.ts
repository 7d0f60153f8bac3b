import {
  adminAuthRef, clusterMembershipRef, clusterServiceRef, createCredentialCipher, credentialStorageRef, databaseRef, defineBundle, metricsSourceRef, pushManagerRef, pushServiceRef, sessionAddedHook,
  sessionRemovedHook, sessionServiceRef, userDeletedHook, userPasswordChangedHook, userServiceRef, type PushService,
} from '@keel/plugin-sdk';
import { registerAdminRoutes } from './admin-routes.js';
import { createCredentialStorage, createMemoryBackend, createSqlBackend } from './credential-storage.js';
import { createPushMetricsSource } from './metrics-source.js';
import { pushMigrations } from './push-schema.js';
import { createPushFramework } from './push-service.js';
import { readPushSettings, type PushSettings } from './push-settings.js';
import { createRegistrationStore } from './registration-store.js';
import { createReplanTrigger } from './replan-trigger.js';
import { createSingleNodeMembership, nodeId } from './single-node-membership.js';

/** Session passwords are needed while permanent listeners store them or listeners log in with them. */
const needsSessionPasswords = (settings: PushSettings) => settings.credstorage.enabled || settings.passwordSource !== 'global';

/** Broadcast topic: the registeredPush table changed on the sending member. */
const REGISTRATIONS_TOPIC = 'push.registrations';

export default defineBundle({
  provides: [pushServiceRef, credentialStorageRef, clusterMembershipRef, metricsSourceRef],
  requires: { database: databaseRef, sessions: sessionServiceRef, adminAuth: adminAuthRef, users: userServiceRef },
  optional: { managers: pushManagerRef },
  async start({ services, config, hooks, http, lifecycle, logger, register, registry, scheduler }) {
    const { database, sessions, adminAuth, users, managers } = services;
    // A missing passcrypt fails the start here (CRD-0001), naming the property.
    let settings = readPushSettings(config);
    await database.migrate('push', pushMigrations);

    // The single-node membership; a cluster bundle registers a higher-ranked one.
    const self = createSingleNodeMembership(nodeId(config));
    register(clusterMembershipRef, self, { ranking: 0, properties: { type: 'single-node' } });
    const memberships = registry.track(clusterMembershipRef);

    const credentialStorages = registry.track(credentialStorageRef);
    if (settings.credstorage.enabled) {
      const backend = settings.credstorage.rdb ? createSqlBackend(database) : createMemoryBackend();
      register(credentialStorageRef, createCredentialStorage(backend, createCredentialCipher(settings.credstorage.passcrypt!)), { ranking: 0, properties: { backend: backend.kind } });
      logger.info({ backend: backend.kind }, 'push credential storage enabled');
    }
    let releasePasswords = needsSessionPasswords(settings) ? sessions.retainPasswords('push') : undefined;

    // In a cluster, a registration stored here may belong to another member: tell every member to
    // re-plan. A hint only; the registeredPush table stays the truth (and every node re-plans on
    // membership changes anyway).
    const clusters = registry.track(clusterServiceRef);
    const announceRegistrations = () => {
      clusters.get()?.broadcast(REGISTRATIONS_TOPIC, {}).catch((error: unknown) => logger.warn({ err: { message: (error as Error).message } }, 'could not announce a push registration change to the cluster'));
    };

    const push = createPushFramework({
      registrationsChanged: announceRegistrations,
      settings: () => settings,
      managers: () => managers.entries(),
      registrations: createRegistrationStore(database),
      membership: () => memberships.get() ?? self,
      credentials: () => credentialStorages.get(),
      sessions,
      users,
      logger,
    });
    const service: PushService = {
      registerPermanent: (registration, options) => push.registerPermanent(registration, options),
      unregisterPermanent: (registration) => push.unregisterPermanent(registration),
      registrations: () => push.registrations(),
      runningListeners: () => push.runningListeners(),
      permanentPushPossible: () => push.permanentPushPossible(),
    };
    register(pushServiceRef, service);
    register(metricsSourceRef, createPushMetricsSource({ managers: () => managers.all().map((manager) => manager.name), listenerCounts: () => push.listenerCounts() }));
    registerAdminRoutes(http, adminAuth, push);

    const inBackground = (what: string, work: () => Promise<unknown>) => {
      work().catch((error: unknown) => logger.error({ err: { code: (error as { code?: string }).code, message: (error as Error).message } }, `${what} failed`));
    };
    // Logins must not wait for mail servers: listeners start and stop in the background.
    hooks.get(sessionAddedHook).tapPromise('push', async (session) => inBackground('starting push for a new session', () => push.sessionAdded(session)));
    hooks.get(sessionRemovedHook).tapPromise('push', async ({ session }) => inBackground('stopping push for an ended session', () => push.sessionRemoved(session)));
    hooks.get(userPasswordChangedHook).tapPromise('push', ({ contextId, userId, password }) => push.passwordChanged({ contextId, userId }, password));
    hooks.get(userDeletedHook).tapPromise('push', ({ contextId, userId }) => push.userDeleted({ contextId, userId }));

    // Re-plan on membership change, coalescing bursts.
    let started = false;
    const trigger = createReplanTrigger({ delayMs: () => settings.replanDelayMs, replan: async () => void (await push.replan()) });
    scheduler.every(settings.replanIntervalMs, () => trigger.tick(), { name: 'push-replan' });
    const membershipListeners = new Map<number, () => void>();
    memberships.subscribe((event) => {
      if (event.type === 'added') membershipListeners.set(event.entry.serviceId, event.entry.service.onChange(() => trigger.changed()));
      if (event.type === 'removed') {
        membershipListeners.get(event.entry.serviceId)?.();
        membershipListeners.delete(event.entry.serviceId);
      }
      // Another membership service may now be the highest-ranked one.
      if (started) trigger.changed();
    });
    const broadcastListeners = new Map<number, () => void>();
    clusters.subscribe((event) => {
      if (event.type === 'added') {
        broadcastListeners.set(event.entry.serviceId, event.entry.service.onBroadcast(REGISTRATIONS_TOPIC, () => {
          if (started) inBackground('re-planning after a registration change on another member', () => push.replan());
        }));
      } else if (event.type === 'removed') {
        broadcastListeners.get(event.entry.serviceId)?.();
        broadcastListeners.delete(event.entry.serviceId);
      }
    });
    managers.subscribe(() => {
      if (started) inBackground('re-checking push listeners after a push manager change', () => push.reconcileAll());
    });

    lifecycle.onStarted(() => {
      started = true;
      const obstacles = push.permanentPushObstacles();
      if (obstacles.length > 0) logger.info({ obstacles }, 'permanent push listeners are not started on this node');
      inBackground('starting permanent push listeners', async () => {
        const { arrived } = await push.replan();
        logger.info({ permanent: arrived }, 'permanent push listeners planned at node start');
      });
    });

    const stopReload = config.onReload(() => {
      try {
        const next = readPushSettings(config);
        if (next.credstorage.enabled !== settings.credstorage.enabled || next.credstorage.rdb !== settings.credstorage.rdb || next.credstorage.passcrypt !== settings.credstorage.passcrypt) {
          logger.warn('com.openexchange.push.credstorage.* changed: restart the push bundle for it to take effect');
          next.credstorage = settings.credstorage;
        }
        settings = next;
      } catch (error) {
        logger.error({ err: { message: (error as Error).message } }, 'push settings not reloaded; the previous ones stay in force');
        return;
      }
      if (needsSessionPasswords(settings) && releasePasswords === undefined) releasePasswords = sessions.retainPasswords('push');
      if (!needsSessionPasswords(settings) && releasePasswords !== undefined) {
        releasePasswords();
        releasePasswords = undefined;
      }
      if (started) inBackground('re-checking push listeners after a reload', () => push.reconcileAll());
    });

    return async () => {
      stopReload();
      for (const unsubscribe of [...membershipListeners.values(), ...broadcastListeners.values()]) unsubscribe();
      membershipListeners.clear();
      broadcastListeners.clear();
      await push.close();
      releasePasswords?.();
    };
  },
});
