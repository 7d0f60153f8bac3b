// `PUT <apiPrefix>/pns?action=subscribe|unsubscribe`: the module API clients register devices with.
import type { HttpService, PushSubscription, PushTransport, ServiceTracker, SessionService, SubscriptionStore } from '@keel/plugin-sdk';
import { invalidField, unknownTransport } from './errors.js';
import { bodyObject, parseSubscribe, parseUnsubscribe } from './subscription-input.js';

/** Subscribe bodies are small; anything bigger is refused before it is parsed. */
export const SUBSCRIBE_BODY_LIMIT = 64 * 1024;

export function registerSubscriptionActions(deps: {
  http: HttpService;
  sessions: SessionService;
  store: SubscriptionStore;
  transports: ServiceTracker<PushTransport>;
  now(): number;
}): void {
  const { http, sessions, store, transports } = deps;

  function transportFor(id: string): PushTransport {
    const all = transports.all();
    const transport = all.find((candidate) => candidate.id === id);
    if (transport === undefined) throw unknownTransport(id, [...new Set(all.map((t) => t.id))].sort());
    return transport;
  }

  http.action({
    module: 'pns',
    action: 'subscribe',
    methods: ['PUT', 'POST'],
    bodyLimit: SUBSCRIBE_BODY_LIMIT,
    async handler(request) {
      const session = await sessions.validate(request.query.session, request.cookies);
      const input = parseSubscribe(bodyObject(request), deps.now());
      const transport = transportFor(input.transport);
      const requested: PushSubscription = {
        contextId: session.contextId,
        userId: session.userId,
        token: input.token,
        client: input.client ?? session.client,
        transport: transport.id,
        topics: input.topics,
        ...(input.meta === undefined ? {} : { meta: input.meta }),
        ...(input.expires === undefined ? {} : { expires: input.expires }),
      };
      const validated = transport.validate ? await transport.validate(requested) : requested;
      // A transport may rewrite token, topics, expiry or meta, never whose subscription it is.
      const subscription: PushSubscription = {
        ...validated,
        contextId: requested.contextId,
        userId: requested.userId,
        client: requested.client,
        transport: requested.transport,
      };
      if (subscription.token === '') throw invalidField('token', `must not be empty for transport '${transport.id}'`);
      await store.subscribe(subscription);
      request.log.debug({ context: session.contextId, user: session.userId, client: subscription.client, transport: transport.id, topics: subscription.topics }, 'push subscription stored');
      return { success: true };
    },
  });

  http.action({
    module: 'pns',
    action: 'unsubscribe',
    methods: ['PUT', 'POST'],
    bodyLimit: SUBSCRIBE_BODY_LIMIT,
    async handler(request) {
      const session = await sessions.validate(request.query.session, request.cookies);
      const input = parseUnsubscribe(bodyObject(request));
      // No registration check: a client must be able to unsubscribe from a transport that went away.
      const removed = await store.unsubscribe({
        contextId: session.contextId,
        userId: session.userId,
        client: input.client ?? session.client,
        transport: input.transport,
        ...(input.token === undefined ? {} : { token: input.token }),
      });
      request.log.debug({ context: session.contextId, user: session.userId, transport: input.transport, removed }, 'push subscriptions removed');
      return { success: true };
    },
  });
}
