import { KeelError } from '@keel/plugin-sdk';

/** Codes of push-imapidle: IMI-0001 configuration, IMI-0002 login refused, IMI-0003 timeout, IMI-0004 folder. */
export function invalidSetting(property: string, value: string, expected: string, source: string | undefined): KeelError {
  return new KeelError('IMI-0001', `Property ${property}=${value}${source ? ` (${source})` : ''} is invalid: expected ${expected}`, {
    status: 500,
    params: [property, value],
  });
}

export function loginRefused(contextId: number, userId: number, detail: string): KeelError {
  return new KeelError('IMI-0002', `The IMAP server refused the login of user ${userId} in context ${contextId}: ${detail}`, {
    status: 502,
    params: [contextId, userId],
  });
}

export function timedOut(what: string, ms: number): KeelError {
  return new KeelError('IMI-0003', `${what} took longer than ${ms} ms (com.openexchange.push.imapidle.timeoutMillis)`, { status: 504, params: [what, ms] });
}

export function folderUnavailable(folder: string, detail: string): KeelError {
  return new KeelError('IMI-0004', `The folder ${folder} cannot be opened for IDLE (com.openexchange.push.imapidle.folder): ${detail}`, {
    status: 502,
    params: [folder],
  });
}
