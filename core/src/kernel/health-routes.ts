import { healthCheckRef, type HttpService } from '@keel/plugin-sdk';
import type { KernelRegistry } from './registry.js';

const CHECK_TIMEOUT_MS = 2000;

/**
 * `/health/live`: the process answers. `/health/ready`: every enabled bundle is ACTIVE and every
 * registered HealthCheck passes within 2 s; otherwise 503 with what is wrong.
 */
export function registerHealthRoutes(http: HttpService, registry: KernelRegistry, notActive: () => string[]): void {
  http.route({ method: 'GET', path: '/health/live', handler: () => ({ status: 'ok' }) });
  http.route({
    method: 'GET',
    path: '/health/ready',
    async handler(_request, reply) {
      const checks = await Promise.all(registry.getAll(healthCheckRef).map(async (check) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const outcome = await Promise.race([
            check.check(),
            new Promise<{ healthy: boolean; detail: string }>((resolve) => {
              timer = setTimeout(() => resolve({ healthy: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
            }),
          ]);
          return { name: check.name, ...outcome };
        } catch (error) {
          return { name: check.name, healthy: false, detail: (error as Error).message };
        } finally {
          clearTimeout(timer);
        }
      }));
      const inactive = notActive();
      const ready = inactive.length === 0 && checks.every((c) => c.healthy);
      reply.status(ready ? 200 : 503);
      return { status: ready ? 'ready' : 'not-ready', inactiveBundles: inactive, checks };
    },
  });
}
