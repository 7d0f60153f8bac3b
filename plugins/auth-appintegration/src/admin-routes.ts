// Admin REST: start a sync (waiting for it, or as a job to poll) and read a job.
import { KeelError, type AdminAuth, type HttpService } from '@keel/plugin-sdk';
import { contextNotConfigured, invalidSyncRequest } from './errors.js';
import { SERVERS_FILE } from './integration-servers.js';
import type { SyncJobs } from './sync-jobs.js';

export const SYNC_PATH = '/admin/v1/appintegration/sync';

export interface SyncRequest {
  contextId: number;
  dryRun: boolean;
  /** true (default): answer the summary when done; false: answer 202 with the job at once. */
  wait: boolean;
}

export function parseSyncRequest(body: unknown): SyncRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidSyncRequest('send a JSON object {"contextId": <id>, "dryRun": false}');
  const { contextId, dryRun = false, wait = true, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw invalidSyncRequest(`unknown field '${unknown[0]}' (allowed: contextId, dryRun, wait)`);
  if (typeof contextId !== 'number' || !Number.isInteger(contextId) || contextId < 1) throw invalidSyncRequest(`contextId must be a context id (a whole number ≥ 1), got ${JSON.stringify(contextId)}`);
  if (typeof dryRun !== 'boolean') throw invalidSyncRequest('dryRun must be true or false');
  if (typeof wait !== 'boolean') throw invalidSyncRequest('wait must be true or false');
  return { contextId, dryRun, wait };
}

export function registerAdminRoutes(options: { http: HttpService; adminAuth: AdminAuth; jobs: SyncJobs; configured: (contextId: number) => boolean }): void {
  const { http, adminAuth, jobs } = options;

  http.route({
    method: 'POST',
    path: SYNC_PATH,
    async handler(request, reply) {
      await adminAuth.verify(request);
      const sync = parseSyncRequest(request.body);
      if (!options.configured(sync.contextId)) throw contextNotConfigured(sync.contextId, SERVERS_FILE);
      const { job, finished } = jobs.start(sync.contextId, sync.dryRun, 'admin');
      if (!sync.wait) {
        reply.status(202).header('location', `${SYNC_PATH}/${job.id}`);
        return job;
      }
      const done = await finished;
      // Mostly the upstream server's fault (down, garbage: 502), with its code and reason.
      if (done.state === 'failed') throw new KeelError(done.error!.code, done.error!.message, { status: done.error!.status });
      return done;
    },
  });

  http.route({
    method: 'GET',
    path: `${SYNC_PATH}/:jobId`,
    async handler(request) {
      await adminAuth.verify(request);
      return jobs.get(request.params['jobId'] ?? '');
    },
  });
}
