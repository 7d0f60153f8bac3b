// auth-appintegration: authenticate logins and synchronise users through an external Application Integration server.
import { adminAuthRef, authenticatorRef, contextServiceRef, defineBundle, userServiceRef, type Cancel } from '@keel/plugin-sdk';
import { registerAdminRoutes } from './admin-routes.js';
import { AUTHENTICATOR_NAME, createAppIntegrationAuthenticator } from './appintegration-authenticator.js';
import { contextNotConfigured, unknownContext } from './errors.js';
import { createIntegrationClient, type IntegrationClient } from './integration-client.js';
import { displayUrl, parseServers, SERVERS_FILE } from './integration-servers.js';
import { createSyncJobs } from './sync-jobs.js';
import { syncUsers } from './user-sync.js';

/** Above the database authenticator (0): users of a context with a server are asked there first. */
export const AUTHENTICATOR_RANKING = 50;

export default defineBundle({
  provides: [authenticatorRef],
  requires: { users: userServiceRef, contexts: contextServiceRef, adminAuth: adminAuthRef },
  start({ services, config, http, logger, register, scheduler }) {
    const stopping = new AbortController();
    const connect = () => new Map([...parseServers(config.yaml(SERVERS_FILE))].map(([cid, server]) => [cid, createIntegrationClient(server)] as const));
    // A broken file at start fails the start loudly; on reload the previous servers stay in force.
    let clients: Map<number, IntegrationClient> = connect();
    const retired = new Set<Map<number, IntegrationClient>>();

    const jobs = createSyncJobs(async (contextId, dryRun, onProgress) => {
      const client = clients.get(contextId);
      if (client === undefined) throw contextNotConfigured(contextId, SERVERS_FILE);
      if ((await services.contexts.get(contextId)) === undefined) throw unknownContext(contextId);
      return syncUsers({ contextId, dryRun, client, users: services.users, logger, onProgress, signal: stopping.signal });
    });

    let schedules: Cancel[] = [];
    const schedule = () => {
      for (const cancel of schedules) cancel();
      schedules = [];
      for (const { server } of clients.values()) {
        if (server.syncScheduleMinutes === undefined) continue;
        const cid = server.contextId;
        schedules.push(scheduler.every(server.syncScheduleMinutes * 60_000, async () => {
          if (jobs.running(cid) !== undefined) return;
          const job = await jobs.start(cid, false, 'schedule').finished;
          if (job.state === 'failed') logger.error({ contextId: cid, code: job.error?.code }, `scheduled sync of context ${cid} failed: ${job.error?.message}`);
          else logger.info({ contextId: cid, ...job.summary, problems: undefined, plan: undefined }, `scheduled sync of context ${cid} done`);
        }, { name: `appintegration-sync-${cid}` }));
      }
    };
    schedule();

    const describe = () => [...clients.values()].map(({ server }) => ({ contextId: server.contextId, url: displayUrl(server.url), syncScheduleMinutes: server.syncScheduleMinutes }));
    logger.info({ servers: describe() }, `Application Integration servers for ${clients.size} context(s)`);

    const stopReload = config.onReload(() => {
      let next: Map<number, IntegrationClient>;
      try {
        next = connect();
      } catch (error) {
        logger.error({ err: { message: (error as Error).message } }, `${SERVERS_FILE} not reloaded, the previous servers stay in force: ${(error as Error).message}`);
        return;
      }
      const previous = clients;
      clients = next;
      schedule();
      // Logins in flight still use the old clients: their connections close a little later (or at stop).
      retired.add(previous);
      scheduler.after(60_000, () => {
        previous.forEach((client) => client.close());
        retired.delete(previous);
      }, { name: 'appintegration-close-previous' });
      logger.info({ servers: describe() }, `${SERVERS_FILE} reloaded`);
    });

    register(authenticatorRef, createAppIntegrationAuthenticator({ clients: () => clients, contexts: services.contexts, users: services.users, logger }), {
      ranking: AUTHENTICATOR_RANKING,
      properties: { name: AUTHENTICATOR_NAME },
    });
    registerAdminRoutes({ http, adminAuth: services.adminAuth, jobs, configured: (cid) => clients.has(cid) });

    return async () => {
      stopReload();
      stopping.abort(new Error('the auth-appintegration bundle is stopping'));
      // Aborted syncs end at their next write; the list download ends when its connection closes.
      for (const set of [clients, ...retired]) for (const client of set.values()) client.close();
      await jobs.settle();
    };
  },
});
