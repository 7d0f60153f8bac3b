import { KeelError } from '@keel/plugin-sdk';

/** Every error the admin bundle answers, with its stable code and HTTP status. */
export const REALM = 'Keel admin';

/**
 * `challenge: false` leaves out `WWW-Authenticate`: browsers answer a Basic challenge to a script's
 * request with their own login dialog, which the admin console replaces with its own form.
 */
export function adminAuthRequired(detail: string, challenge = true): KeelError {
  return new KeelError('ADM-0001', `Master admin authentication failed: ${detail}`, {
    status: 401,
    headers: challenge ? { 'www-authenticate': `Basic realm="${REALM}", charset="UTF-8"` } : {},
  });
}

export function adminLockedOut(retryAfterSeconds: number): KeelError {
  return new KeelError('ADM-0002', `Too many failed master admin logins from this address; try again in ${retryAfterSeconds} seconds`, {
    status: 429,
    params: [retryAfterSeconds],
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

export function cannotStopSelf(name: string): KeelError {
  return new KeelError('ADM-0003', `Bundle '${name}' serves the admin API and cannot be stopped through it; use packages.yml and 'keel reload', or stop the server`, {
    status: 409,
    params: [name],
  });
}

export function unknownBundle(name: string): KeelError {
  return new KeelError('ADM-0004', `No bundle named '${name}' is installed`, { status: 404, params: [name] });
}

export function invalidQueryParameter(parameter: string, detail: string): KeelError {
  return new KeelError('ADM-0005', `Invalid query parameter '${parameter}': ${detail}`, { status: 400, params: [parameter] });
}

export function unknownSubject(contextId: number, userId?: number): KeelError {
  const what = userId === undefined ? `context ${contextId}` : `user ${userId} in context ${contextId}`;
  return new KeelError('ADM-0007', `The directory knows no ${what}; the cascade would show only the server and context-set values`, {
    status: 404,
    params: userId === undefined ? [contextId] : [contextId, userId],
  });
}

export function unknownConsoleFile(name: string): KeelError {
  return new KeelError('ADM-0006', `The admin console has no file named '${name}'`, { status: 404, params: [name] });
}

export function invalidMasterPasswordFile(file: string, line: number, detail: string): Error {
  return new Error(`Master password file ${file}:${line}: ${detail}. Expected lines 'login:{scrypt}N=16384,r=8,p=1$<salt>$<key>' or 'login:{PLAIN}<password>'`);
}
