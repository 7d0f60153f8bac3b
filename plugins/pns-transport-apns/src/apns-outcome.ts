import type { ApnsResponse } from './apns-connection.js';

/**
 * What to do after an APNs answer:
 * - `delivered`: 200.
 * - `dead-token`: 410 (Unregistered, ExpiredToken) or 400 BadDeviceToken: the device is gone or the
 *   token is not one, so the subscription is removed.
 * - `refresh-token`: 403 ExpiredProviderToken / InvalidProviderToken with token auth: sign a new JWT, retry.
 * - `retry`: 429 TooManyRequests, 500 InternalServerError, 503 ServiceUnavailable/Shutdown (with backoff).
 * - `rejected`: anything else (DeviceTokenNotForTopic, BadCertificate, PayloadTooLarge …): logged, not retried.
 *   DeviceTokenNotForTopic is not removed on purpose: a wrong `topic` in the options would otherwise
 *   wipe every subscription of the client.
 */
export type ApnsVerdict = 'delivered' | 'dead-token' | 'refresh-token' | 'retry' | 'rejected';

export function apnsVerdict(response: ApnsResponse, tokenAuth: boolean): ApnsVerdict {
  const { status, reason } = response;
  if (status === 200) return 'delivered';
  if (status === 410) return 'dead-token';
  if (status === 400 && reason === 'BadDeviceToken') return 'dead-token';
  if (status === 403 && tokenAuth && (reason === 'ExpiredProviderToken' || reason === 'InvalidProviderToken' || reason === 'MissingProviderToken')) return 'refresh-token';
  if (status === 429 || status >= 500) return 'retry';
  return 'rejected';
}
