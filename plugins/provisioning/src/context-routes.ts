// REST: contexts under /admin/v1/contexts.
import type { ConfigChange, ContextCreate, ContextService, ContextUpdate } from '@keel/plugin-sdk';
import type { AdminRoute } from './admin-route.js';
import { readBody, type BodySpec } from './request-body.js';
import { idParam, pageParams } from './request-params.js';

export const CONTEXT_CREATE: BodySpec = {
  id: { type: 'integer' },
  name: { type: 'string', required: true },
  loginMappings: { type: 'string[]' },
  enabled: { type: 'boolean' },
  attributes: { type: 'string-map' },
};

export const CONTEXT_UPDATE: BodySpec = {
  name: { type: 'string' },
  loginMappings: { type: 'string[]' },
  enabled: { type: 'boolean' },
  attributes: { type: 'nullable-string-map' },
};

export const CONFIG_CHANGE: BodySpec = {
  set: { type: 'string-map' },
  remove: { type: 'string[]' },
};

export function registerContextRoutes(route: AdminRoute, contexts: ContextService): void {

  route('POST', '/admin/v1/contexts', async (request, reply) => {
    const context = await contexts.create(readBody<ContextCreate>(request, CONTEXT_CREATE));
    reply.status(201).header('location', `/admin/v1/contexts/${context.id}`);
    return context;
  });

  route('GET', '/admin/v1/contexts', async (request) => {
    const page = pageParams(request);
    return { contexts: await contexts.list(page), ...page };
  });

  route('GET', '/admin/v1/contexts/:cid', (request) => contexts.require(idParam(request, 'cid')));

  route('PATCH', '/admin/v1/contexts/:cid', (request) => {
    const contextId = idParam(request, 'cid');
    return contexts.update(contextId, readBody<ContextUpdate>(request, CONTEXT_UPDATE));
  });

  route('DELETE', '/admin/v1/contexts/:cid', async (request) => {
    await contexts.delete(idParam(request, 'cid'));
  });

  route('PUT', '/admin/v1/contexts/:cid/config', (request) => {
    const contextId = idParam(request, 'cid');
    return contexts.setConfig(contextId, readBody<ConfigChange>(request, CONFIG_CHANGE));
  });

  route('POST', '/admin/v1/contexts/:cid/enable', (request) => contexts.update(idParam(request, 'cid'), { enabled: true }));
  route('POST', '/admin/v1/contexts/:cid/disable', (request) => contexts.update(idParam(request, 'cid'), { enabled: false }));
}
