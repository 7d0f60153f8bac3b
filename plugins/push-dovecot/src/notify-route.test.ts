import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKeelError, type ConfigCascade, type HttpRequest, type HttpReply, type HttpService, type Logger, type PushNotification, type PushNotificationService, type RestAuth, type RouteOptions } from '@keel/plugin-sdk';
import { registerNotifyRoute } from './notify-route.js';

const silent = { debug() {}, info() {}, warn() {}, error() {}, trace() {}, fatal() {}, child() { return silent; } } as unknown as Logger;

// Written for the SIGTERM drain (test/e2e/sigterm-drain.test.ts): a notify request still in its
// credential check when the bundle's stop began was answered 200 afterwards, and routed to a PNS
// that had already drained: an answered notification could be lost on shutdown.
test('a notification still being checked when the stop begins is refused, not answered and lost', async () => {
  const routes: RouteOptions[] = [];
  const http = { route: (definition: RouteOptions) => routes.push(definition) } as unknown as HttpService;
  let letThrough: () => void = () => undefined;
  const checking = new Promise<void>((resolve) => (letThrough = resolve));
  const restAuth: RestAuth = { verify: () => checking };
  const handled: PushNotification[] = [];
  const pns = { handle: async (notification: PushNotification) => { handled.push(notification); } } as unknown as PushNotificationService;
  const cascade = { view: async () => ({ getBoolean: (_name: string, fallback: boolean) => fallback }) } as unknown as ConfigCascade;
  const queue = registerNotifyRoute({
    http, restAuth, pns, cascade, logger: silent,
    resolveUser: async () => ({ contextId: 1, userId: 3 }),
    maxBodyBytes: 65_536, routingConcurrency: 4, maxQueued: 100,
  });
  const body = { user: '3@1', event: 'messageNew', folder: 'INBOX', 'imap-uid': 7 };
  const request = { method: 'PUT', body, rawBody: undefined, headers: {}, query: {}, cookies: {} } as unknown as HttpRequest;

  const answer = routes[0]!.handler(request, {} as HttpReply);
  // The bundle stops: what its stop function does.
  queue.close();
  await queue.idle();
  letThrough();

  await assert.rejects(Promise.resolve(answer), (error: unknown) => isKeelError(error) && error.code === 'DOV-0003' && error.status === 503);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(handled, [], 'nothing reaches the PNS after its drain');
});

test('before the stop, a checked notification is answered and handed to the PNS', async () => {
  const routes: RouteOptions[] = [];
  const http = { route: (definition: RouteOptions) => routes.push(definition) } as unknown as HttpService;
  const handled: PushNotification[] = [];
  const pns = { handle: async (notification: PushNotification) => { handled.push(notification); } } as unknown as PushNotificationService;
  const cascade = { view: async () => ({ getBoolean: (_name: string, fallback: boolean) => fallback }) } as unknown as ConfigCascade;
  const queue = registerNotifyRoute({
    http, restAuth: { verify: async () => undefined }, pns, cascade, logger: silent,
    resolveUser: async () => ({ contextId: 1, userId: 3 }),
    maxBodyBytes: 65_536, routingConcurrency: 4, maxQueued: 100,
  });
  const request = { method: 'PUT', body: { user: '3@1', event: 'messageNew', folder: 'INBOX', 'imap-uid': 8 }, rawBody: undefined, headers: {}, query: {}, cookies: {} } as unknown as HttpRequest;
  assert.deepEqual(await routes[0]!.handler(request, {} as HttpReply), { success: true });
  queue.close();
  await queue.idle();
  assert.equal(handled.length, 1);
  assert.equal(handled[0]!.topic, 'ox:mail:new');
});
