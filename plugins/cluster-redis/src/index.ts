import {
  clusterMembershipRef, clusterServiceRef, createCredentialCipher, credentialStorageRef, defineBundle, healthCheckRef,
  lockServiceRef, sessionRemovedHook, sessionStorageRef, socketIoAdapterRef, type ClusterService, type CredentialCipher,
} from '@keel/plugin-sdk';
import { createBroadcasts } from './broadcasts.js';
import { createChannels } from './channels.js';
import { readClusterSettings } from './cluster-settings.js';
import { createCredentialStorage, type RedisCredentialStorage } from './credential-storage.js';
import { createRedisHealthCheck } from './health-check.js';
import { clusterKeys } from './keys.js';
import { createLockService } from './lock-service.js';
import { createMembership } from './membership.js';
import { openConnections } from './redis-connections.js';
import { createSessionCodec } from './session-codec.js';
import { createSessionStorage } from './session-storage.js';
import { createAdapterProvider } from './socket-io-adapter.js';
import { createStoreEpoch } from './store-epoch.js';

export { readClusterSettings } from './cluster-settings.js';
export type { AdapterMode, ClusterSettings } from './cluster-settings.js';
export { createAdapterProvider } from './socket-io-adapter.js';

/** Outranks the single-node services (sessiond's memory storage, push's own membership and storage). */
const RANKING = 100;

/** Resolves after `ms` at the latest, so a stop does not wait for a Redis that is not there. */
function bounded<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), ms); })]).finally(() => clearTimeout(timer));
}

/**
 * Several Keel nodes as one installation, coordinated by Redis: membership with heartbeats,
 * cluster locks, sessions and push credentials in Redis, Socket.IO emits across nodes, and a
 * `redis` health check. Disabled by default: a single node needs none of it.
 */
export default defineBundle({
  provides: [clusterServiceRef, clusterMembershipRef, lockServiceRef, sessionStorageRef, credentialStorageRef, socketIoAdapterRef, healthCheckRef],
  async start({ config, hooks, logger, register, scheduler }) {
    const settings = readClusterSettings(config);
    const keys = clusterKeys(settings.prefix);
    const connections = await openConnections({ url: settings.redisUrl, nodeId: settings.nodeId, connectTimeoutMs: settings.connectTimeoutMs, logger });
    const { command: redis } = connections;
    const channels = createChannels(connections.subscriber, logger);
    const { passcrypt } = settings.credentials;
    // Credentials are written rarely: a salt (an scrypt run) per value. Session passwords are sealed
    // at every login: one salt and key per process, a fresh IV per value.
    const cipher: CredentialCipher | undefined = passcrypt === undefined ? undefined : createCredentialCipher(passcrypt);
    const sessionCipher: CredentialCipher | undefined = passcrypt === undefined ? undefined : createCredentialCipher(passcrypt, { saltPerValue: false });
    if (cipher === undefined) logger.info('no passcrypt: retained session passwords stay on the node that created the session');

    const epoch = createStoreEpoch(redis, keys.epoch);
    const membership = createMembership({
      redis, channels, keys, nodeId: settings.nodeId, memberTtlMs: settings.memberTtlMs, permanentPush: settings.permanentPush,
      connected: () => connections.connected(), logger,
    });
    const sessions = createSessionStorage({ redis, channels, keys, codec: createSessionCodec(sessionCipher, logger), nodeId: settings.nodeId, ttlMs: settings.sessionTtlMs, logger });
    const credentials: RedisCredentialStorage | undefined = settings.credentials.enabled && !settings.credentials.rdb
      ? createCredentialStorage({ redis, channels, keys, cipher, nodeId: settings.nodeId, logger })
      : undefined;

    try {
      await epoch.check();
      await sessions.start();
      await credentials?.start();
      await membership.start();
    } catch (error) {
      channels.close();
      await connections.close();
      throw error;
    }

    /** Redis is back, or lost its data: join again and write back what this node holds. */
    async function recover(lost: boolean): Promise<void> {
      await membership.rejoin();
      if (!lost) return;
      const rewritten = { sessions: await sessions.rewrite(), pushUsers: (await credentials?.rewrite()) ?? 0 };
      logger.warn(rewritten, 'Redis lost its data (restart without persistence?); wrote back the sessions and push credentials this node holds');
    }

    // Errors while Redis is down are expected: the outage is logged once by the connections.
    const quietly = (what: string) => (error: unknown) => {
      if (connections.connected()) logger.warn({ err: { message: (error as Error).message } }, `${what} failed`);
      else logger.debug({ err: { message: (error as Error).message } }, `${what} failed during a Redis outage`);
    };

    scheduler.every(settings.heartbeatMs, async () => {
      try {
        if (await epoch.check()) await recover(true);
        else await membership.tick();
      } catch (error) {
        quietly('cluster heartbeat')(error);
      }
    }, { name: 'cluster-heartbeat' });
    const stopRecovery = connections.onRecovered(() => {
      epoch.check().then(recover).catch(quietly('re-joining the cluster'));
    });

    hooks.get(sessionRemovedHook).tapPromise('cluster-redis', async (removal) => {
      await sessions.announceRemoval(removal).catch(quietly('announcing a session removal'));
    });

    const cluster: ClusterService = { ...membership.cluster, ...createBroadcasts({ redis, channels, channel: keys.broadcast, nodeId: settings.nodeId, logger }) };
    register(clusterServiceRef, cluster);
    register(clusterMembershipRef, membership.membership, { ranking: RANKING, properties: { type: 'redis' } });
    register(lockServiceRef, createLockService(redis, keys), { ranking: RANKING, properties: { type: 'redis' } });
    register(sessionStorageRef, sessions, { ranking: RANKING, properties: { type: 'redis' } });
    if (credentials !== undefined) register(credentialStorageRef, credentials, { ranking: RANKING, properties: { type: 'redis' } });
    register(healthCheckRef, createRedisHealthCheck(redis, cluster));
    const adapterRegistration = settings.adapter === 'none'
      ? undefined
      : register(socketIoAdapterRef, createAdapterProvider(settings.adapter, connections.adapterClients(), keys.socketIoChannel, logger), { properties: { type: settings.adapter } });

    logger.info({ node: settings.nodeId, redis: settings.redisUrl, members: membership.cluster.members().map((m) => m.id), adapter: settings.adapter }, 'joined the cluster');

    return async () => {
      stopRecovery();
      // The Socket.IO server lets go of the adapter before its connections close.
      adapterRegistration?.unregister();
      await bounded(membership.stop().catch(quietly('leaving the cluster')), 1000);
      sessions.stop();
      credentials?.stop();
      channels.close();
      await connections.close();
    };
  },
});
