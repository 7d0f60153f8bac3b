import type { AdminAuth, HttpRequest, HttpService } from '@keel/plugin-sdk';
import { invalidInput, unknownRegistration } from './errors.js';
import type { PushFramework } from './push-service.js';

function body(request: HttpRequest): Record<string, unknown> {
  const value = request.body;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidInput('expected a JSON object {contextId, userId, client}');
  return value as Record<string, unknown>;
}

function registrationOf(request: HttpRequest) {
  const input = body(request);
  const number = (name: string) => {
    const value = input[name];
    const parsed = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof parsed !== 'number' || !Number.isSafeInteger(parsed) || parsed <= 0) throw invalidInput(`${name} must be a positive integer`);
    return parsed;
  };
  if (typeof input['client'] !== 'string') throw invalidInput('client must be a string');
  return { contextId: number('contextId'), userId: number('userId'), client: input['client'], input };
}

/**
 * `/admin/v1/push/*` behind the master admin: the listeners running on this node, the stored
 * registrations, registering and unregistering (what `keel pushusers` calls).
 */
export function registerAdminRoutes(http: HttpService, auth: AdminAuth, push: PushFramework): void {
  const guarded = (handler: (request: HttpRequest) => unknown | Promise<unknown>) => async (request: HttpRequest) => {
    await auth.verify(request);
    return handler(request);
  };

  http.route({ method: 'GET', path: '/admin/v1/push/listeners', handler: guarded(() => ({ listeners: push.runningListeners() })) });
  http.route({
    method: 'GET',
    path: '/admin/v1/push/registrations',
    handler: guarded(async () => ({ registrations: await push.registrations(), permanentPushPossible: push.permanentPushPossible() })),
  });
  http.route({
    method: 'POST',
    path: '/admin/v1/push/registrations',
    handler: guarded(async (request) => {
      const { contextId, userId, client, input } = registrationOf(request);
      const login = input['login'];
      const password = input['password'];
      if (login !== undefined && typeof login !== 'string') throw invalidInput('login must be a string');
      if (password !== undefined && typeof password !== 'string') throw invalidInput('password must be a string');
      await push.registerPermanent({ contextId, userId, client }, {
        ...(login !== undefined ? { login } : {}),
        ...(password !== undefined ? { password } : {}),
      });
      return { registered: true, contextId, userId, client };
    }),
  });
  http.route({
    method: 'DELETE',
    path: '/admin/v1/push/registrations',
    handler: guarded(async (request) => {
      const { contextId, userId, client } = registrationOf(request);
      if (!(await push.unregisterPermanent({ contextId, userId, client }))) throw unknownRegistration(contextId, userId, client);
      return { deleted: true, contextId, userId, client };
    }),
  });
}
