import { KeelError } from '@keel/plugin-sdk';

/** Session errors, with the codes App Suite clients react to (SES-0203 sends them to the login page). */
export function sessionExpired(sessionId: string | undefined): KeelError {
  return sessionId === undefined || sessionId === ''
    ? new KeelError('SES-0203', 'No session given: log in first and pass the session parameter', { status: 401, params: [''] })
    : new KeelError('SES-0203', `Your session ${sessionId} expired. Please start a new browser session.`, { status: 401, params: [sessionId] });
}

export function secretMismatch(sessionId: string): KeelError {
  return new KeelError('SES-0205', 'The session secret cookie is missing or does not match the session; log in again', {
    status: 403,
    params: [sessionId],
  });
}

export function missingLoginFields(): KeelError {
  return new KeelError('LGI-0001', 'Login name and password are required (form fields "name" and "password")', { status: 400 });
}

export function invalidDuration(property: string, value: string, source: string | undefined): Error {
  return new Error(`Property ${property}=${value}${source ? ` (${source})` : ''} is not a duration: use milliseconds or a number with a unit W, D, H, M, S or ms, e.g. 1W or 3600000`);
}
