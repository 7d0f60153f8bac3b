import { KeelError } from '@keel/plugin-sdk';

export const REALM = 'OX REST';

/** No credentials configured: every REST call is refused, whoever asks. */
export function restDisabled(missing: readonly string[]): KeelError {
  return new KeelError('REST-0001', `REST endpoints are disabled: ${missing.join(' and ')} not configured`, { status: 403 });
}

export function restAuthRequired(detail: string): KeelError {
  return new KeelError('REST-0002', `REST authentication failed: ${detail}`, {
    status: 401,
    headers: { 'WWW-Authenticate': `Basic realm="${REALM}"` },
  });
}
