import { KeelError } from '@keel/plugin-sdk';

/** The login errors of the authentication service (codes as the original middleware used them). */
export function missingCredentials(): KeelError {
  return new KeelError('LGI-0001', 'Login name and password are required', { status: 400 });
}

/** One message for an unknown login and a wrong password alike, so logins cannot be probed. */
export function invalidCredentials(): KeelError {
  return new KeelError('LGI-0006', 'The user name or password is incorrect', { status: 401 });
}

export function accountDisabled(what: 'user' | 'context'): KeelError {
  return new KeelError('LGI-0010', what === 'user' ? 'The user account is disabled' : 'The context of this account is disabled', {
    status: 403,
    params: [what],
  });
}

export function tooManyFailures(retryAfterSeconds: number): KeelError {
  return new KeelError('LGI-0020', `Too many failed login attempts; try again in ${retryAfterSeconds} seconds`, {
    status: 429,
    params: [retryAfterSeconds],
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}
