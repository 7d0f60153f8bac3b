import type { Redis } from 'ioredis';
import type { ClusterService, HealthCheck } from '@keel/plugin-sdk';

/** `redis`: PING answers within the timeout; the detail names the members this node sees. */
export function createRedisHealthCheck(redis: Redis, cluster: ClusterService, timeoutMs = 1000): HealthCheck {
  return {
    name: 'redis',
    async check() {
      if (!cluster.connected()) return { healthy: false, detail: 'Redis unreachable; serving local work with the last known members' };
      let timer: NodeJS.Timeout | undefined;
      try {
        const answer = await Promise.race([
          redis.ping(),
          new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no PING answer within ${timeoutMs} ms`)), timeoutMs); }),
        ]);
        return { healthy: answer === 'PONG', detail: `members: ${cluster.members().map((m) => m.id).join(', ')}` };
      } catch (error) {
        return { healthy: false, detail: (error as Error).message };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
