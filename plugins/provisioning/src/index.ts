// provisioning: contexts and users over the admin REST API (the CLI commands live in cli.ts).
import { adminAuthRef, contextServiceRef, defineBundle, userServiceRef } from '@keel/plugin-sdk';
import { adminRoute } from './admin-route.js';
import { registerContextRoutes } from './context-routes.js';
import { registerUserRoutes } from './user-routes.js';

export default defineBundle({
  requires: { contexts: contextServiceRef, users: userServiceRef, adminAuth: adminAuthRef },
  start({ services, http }) {
    const route = adminRoute(http, services.adminAuth);
    registerContextRoutes(route, services.contexts);
    registerUserRoutes(route, services.contexts, services.users);
  },
});
