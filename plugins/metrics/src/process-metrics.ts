import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | undefined;

/**
 * prom-client's default process and Node.js metrics (`process_resident_memory_bytes`,
 * `nodejs_eventloop_lag_seconds` …), unprefixed, in a registry of their own that is created once per
 * process: the collectors start an event-loop delay monitor and a GC observer that are never
 * released, so a restart of the bundle must reuse them rather than start more.
 */
export function processMetrics(): Registry {
  if (shared === undefined) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
