import type { AdminAuth, ConfigCascade, ContextService, HttpService, MetricsSource, ServiceTracker, UserService } from '@keel/plugin-sdk';
import { guardWith } from './admin-auth.js';
import { explainProperty, parseExplainQuery } from './config-explain.js';
import { collectMetrics } from './metrics-snapshot.js';

/**
 * Read-only views for operators and the console, behind the master admin: the figures of every
 * MetricsSource (`/admin/v1/metrics`) and the config cascade of one subject (`/admin/v1/config/explain`).
 */
export function registerInspectionRoutes(options: {
  http: HttpService;
  auth: AdminAuth;
  metrics: ServiceTracker<MetricsSource>;
  cascade: ConfigCascade;
  contexts: ServiceTracker<ContextService>;
  users: ServiceTracker<UserService>;
}): void {
  const { http, metrics, cascade, contexts, users } = options;
  const guarded = guardWith(options.auth);
  http.route({ method: 'GET', path: '/admin/v1/metrics', handler: guarded(() => collectMetrics(metrics.entries())) });
  http.route({
    method: 'GET',
    path: '/admin/v1/config/explain',
    handler: guarded((request) => explainProperty(cascade, parseExplainQuery(request.query), { contexts: contexts.get(), users: users.get() })),
  });
}
