// REST: users under /admin/v1/contexts/:cid/users.
import type { ConfigChange, ContextService, UserCreate, UserService, UserUpdate } from '@keel/plugin-sdk';
import type { AdminRoute } from './admin-route.js';
import { CONFIG_CHANGE } from './context-routes.js';
import { readBody, type BodySpec } from './request-body.js';
import { idParam, pageParams } from './request-params.js';

export const USER_CREATE: BodySpec = {
  login: { type: 'string', required: true },
  password: { type: 'string', required: true },
  displayName: { type: 'string', required: true },
  email: { type: 'string', required: true },
  aliases: { type: 'string[]' },
  enabled: { type: 'boolean' },
  attributes: { type: 'string-map' },
};

export const USER_UPDATE: BodySpec = {
  displayName: { type: 'string' },
  email: { type: 'string' },
  aliases: { type: 'string[]' },
  enabled: { type: 'boolean' },
  attributes: { type: 'nullable-string-map' },
};

const PASSWORD_CHANGE: BodySpec = { password: { type: 'string', required: true } };

export function registerUserRoutes(route: AdminRoute, contexts: ContextService, users: UserService): void {
  const base = '/admin/v1/contexts/:cid/users';

  route('POST', base, async (request, reply) => {
    const contextId = idParam(request, 'cid');
    const user = await users.create(contextId, readBody<UserCreate>(request, USER_CREATE));
    reply.status(201).header('location', `/admin/v1/contexts/${contextId}/users/${user.id}`);
    return user;
  });

  /** Paged; `?login=` looks one user up by login (what the CLI's -u does). */
  route('GET', base, async (request) => {
    const contextId = idParam(request, 'cid');
    // An unknown context is a 404, not an empty list.
    await contexts.require(contextId);
    const page = pageParams(request);
    const login = request.query['login'];
    if (login !== undefined) {
      const user = await users.findByLogin(contextId, login);
      return { users: user ? [user] : [], ...page };
    }
    return { users: await users.list(contextId, page), ...page };
  });

  route('GET', `${base}/:uid`, (request) => users.require(idParam(request, 'cid'), idParam(request, 'uid')));

  route('PATCH', `${base}/:uid`, (request) => {
    const [contextId, userId] = [idParam(request, 'cid'), idParam(request, 'uid')];
    return users.update(contextId, userId, readBody<UserUpdate>(request, USER_UPDATE));
  });

  route('DELETE', `${base}/:uid`, async (request) => {
    await users.delete(idParam(request, 'cid'), idParam(request, 'uid'));
  });

  route('PUT', `${base}/:uid/config`, (request) => {
    const [contextId, userId] = [idParam(request, 'cid'), idParam(request, 'uid')];
    return users.setConfig(contextId, userId, readBody<ConfigChange>(request, CONFIG_CHANGE));
  });

  route('PUT', `${base}/:uid/password`, async (request) => {
    const [contextId, userId] = [idParam(request, 'cid'), idParam(request, 'uid')];
    const { password } = readBody<{ password: string }>(request, PASSWORD_CHANGE);
    await users.setPassword(contextId, userId, password);
  });
}
