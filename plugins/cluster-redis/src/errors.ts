import { KeelError } from '@keel/plugin-sdk';

export function invalidSetting(property: string, value: string, expected: string, source: string | undefined): KeelError {
  return new KeelError('CLU-0001', `${property}=${value}${source ? ` (${source})` : ''} is not valid: ${expected}`, { status: 500, params: [property, value] });
}

export function redisUnreachable(url: string, reason: string): KeelError {
  return new KeelError('CLU-0002', `Redis at ${url} is not reachable (${reason}); the cluster bundle cannot start without it`, { status: 503, params: [url] });
}
