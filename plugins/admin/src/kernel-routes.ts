import type { AdminAuth, BundleInfo, HttpRequest, HttpService, KernelControl } from '@keel/plugin-sdk';
import { guardWith } from './admin-auth.js';
import { bundleGraph } from './bundle-graph.js';
import { cannotStopSelf, unknownBundle } from './errors.js';

/**
 * The kernel part of the admin REST API (`/admin/v1`), every route behind the master admin:
 * bundles and their states, runtime start/stop, configuration reload, the service registry, and the
 * dependency graph the console draws.
 */
export function registerKernelRoutes(options: { http: HttpService; auth: AdminAuth; kernel: KernelControl; self: string }): void {
  const { http, auth, kernel, self } = options;

  const guarded = guardWith(auth);

  const requireBundle = (request: HttpRequest): BundleInfo => {
    const name = request.params['name'] ?? '';
    const info = kernel.bundle(name);
    if (info === undefined) throw unknownBundle(name);
    return info;
  };

  http.route({ method: 'GET', path: '/admin/v1/bundles', handler: guarded(() => ({ bundles: kernel.bundles() })) });
  http.route({ method: 'GET', path: '/admin/v1/bundles/:name', handler: guarded((request) => requireBundle(request)) });
  http.route({
    method: 'POST',
    path: '/admin/v1/bundles/:name/start',
    handler: guarded((request) => kernel.startBundle(requireBundle(request).name)),
  });
  http.route({
    method: 'POST',
    path: '/admin/v1/bundles/:name/stop',
    handler: guarded((request) => {
      const { name } = requireBundle(request);
      // Stopping ourselves would withdraw the route that is answering, and nothing could start us again.
      if (name === self) throw cannotStopSelf(name);
      return kernel.stopBundle(name);
    }),
  });
  http.route({ method: 'POST', path: '/admin/v1/reload', handler: guarded(() => kernel.reload()) });
  http.route({ method: 'GET', path: '/admin/v1/services', handler: guarded(() => ({ services: kernel.services() })) });
  http.route({ method: 'GET', path: '/admin/v1/bundle-graph', handler: guarded(() => bundleGraph(kernel.bundles())) });
}
