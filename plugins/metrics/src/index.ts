import { defineBundle, metricsSourceRef } from '@keel/plugin-sdk';
import { Registry } from 'prom-client';
import { createAccessGuard, readAccessSettings } from './access-control.js';
import { registerBundleStates } from './bundle-states.js';
import { registerMetricsRoute } from './metrics-route.js';
import { observeRequestDurations } from './request-durations.js';
import { createScrape } from './scrape.js';
import { createSourceErrors } from './source-errors.js';

export default defineBundle({
  optional: { sources: metricsSourceRef },
  start({ services, config, logger, http, hooks, kernel }) {
    let access = readAccessSettings(config);
    const stopReload = config.onReload(() => {
      try {
        access = readAccessSettings(config);
      } catch (error) {
        logger.error({ err: error }, `Metrics access settings not reloaded, the previous ones stay in force: ${(error as Error).message}`);
      }
    });

    const own = new Registry();
    registerBundleStates(own, kernel);
    observeRequestDurations(own, hooks.kernel.requestCompleted);
    const errors = createSourceErrors(own, logger);
    registerMetricsRoute({
      http,
      guard: createAccessGuard(() => access),
      scrape: createScrape({ own, sources: services.sources, errors }),
      contentType: own.contentType,
    });
    return stopReload;
  },
});
