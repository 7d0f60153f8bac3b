// `POST /admin/v1/pns/send`: operators send a notification by hand to test a setup.
import type { AdminAuth, HttpService, PushNotificationService } from '@keel/plugin-sdk';
import { invalidField, invalidTopic } from './errors.js';
import { isNotificationTopic } from './notification-input.js';
import { MAX_META_LENGTH } from './subscription-input.js';

export const ADMIN_SEND_PATH = '/admin/v1/pns/send';
const MAX_DATA_LENGTH = 16 * MAX_META_LENGTH;

function id(body: Record<string, unknown>, field: string): number {
  const value = body[field];
  if (value === undefined || value === null) throw invalidField(field, 'is required');
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalidField(field, 'a non-negative integer is required');
  return value;
}

export function registerAdminSendRoute(deps: { http: HttpService; adminAuth: AdminAuth; pns: PushNotificationService }): void {
  deps.http.route({
    method: 'POST',
    path: ADMIN_SEND_PATH,
    bodyLimit: MAX_DATA_LENGTH + 1024,
    async handler(request) {
      await deps.adminAuth.verify(request);
      const body = request.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidField('body', 'a JSON object {contextId, userId, topic, data} is required');
      const input = body as Record<string, unknown>;
      const contextId = id(input, 'contextId');
      const userId = id(input, 'userId');
      const topic = input.topic;
      if (topic === undefined || topic === null) throw invalidField('topic', 'is required');
      if (typeof topic !== 'string' || !isNotificationTopic(topic)) throw invalidTopic(String(topic));
      const data = input.data ?? {};
      if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalidField('data', 'a JSON object is required');
      const result = await deps.pns.deliverNow({ contextId, userId, topic, messageData: data as Record<string, unknown> });
      request.log.info({ context: contextId, user: userId, topic, matches: result.matches }, 'push notification sent by an administrator');
      return { matches: result.matches };
    },
  });
}
