import type { KernelHooks } from '@keel/plugin-sdk';
import { Histogram, type Registry } from 'prom-client';

/** From API calls (milliseconds) to long polls and slow backends (tens of seconds). */
export const DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * `keel_http_request_duration_seconds{method,route,status}` from the kernel's `requestCompleted`
 * hook. The kernel already reduced the route to its pattern (or `unmatched`), so labels stay few.
 */
export function observeRequestDurations(registry: Registry, requestCompleted: KernelHooks['requestCompleted']): void {
  const histogram = new Histogram({
    name: 'keel_http_request_duration_seconds',
    help: 'HTTP request durations by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [...DURATION_BUCKETS],
    registers: [registry],
  });
  requestCompleted.tap('request-durations', (timing) => {
    histogram.observe({ method: timing.method, route: timing.route, status: String(timing.status) }, timing.seconds);
  });
}
