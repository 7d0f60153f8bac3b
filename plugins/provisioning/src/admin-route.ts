// Admin routes authenticate before anything else of the request is looked at.
import type { AdminAuth, HttpHandler, HttpService } from '@keel/plugin-sdk';

export type AdminRoute = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, handler: HttpHandler) => void;

export function adminRoute(http: HttpService, adminAuth: AdminAuth): AdminRoute {
  return (method, path, handler) =>
    http.route({
      method,
      path,
      handler: async (request, reply) => {
        await adminAuth.verify(request);
        return handler(request, reply);
      },
    });
}
