// Checks a notification handed to the service by another bundle or the admin API.
import { isValidTopic, type PushNotification } from '@keel/plugin-sdk';
import { invalidField, invalidTopic } from './errors.js';

/** A notification topic is exact: no wildcards. */
export function isNotificationTopic(topic: string): boolean {
  return !topic.includes('*') && isValidTopic(topic);
}

export function checkNotification(notification: PushNotification): PushNotification {
  if (typeof notification !== 'object' || notification === null) throw invalidField('notification', 'an object is required');
  const { contextId, userId, topic, messageData, sourceToken } = notification;
  if (!Number.isSafeInteger(contextId) || contextId < 0) throw invalidField('contextId', 'a non-negative integer is required');
  if (!Number.isSafeInteger(userId) || userId < 0) throw invalidField('userId', 'a non-negative integer is required');
  if (typeof topic !== 'string' || !isNotificationTopic(topic)) throw invalidTopic(String(topic));
  if (messageData !== undefined && (typeof messageData !== 'object' || messageData === null || Array.isArray(messageData))) {
    throw invalidField('messageData', 'a JSON object is required');
  }
  if (sourceToken !== undefined && typeof sourceToken !== 'string') throw invalidField('sourceToken', 'a string is required');
  return messageData === undefined ? { ...notification, messageData: {} } : notification;
}
