import { KeelError } from '@keel/plugin-sdk';

export function noCredentials(contextId: number, userId: number): KeelError {
  return new KeelError('MSG-0001', `No mail server password for user ${userId} in context ${contextId}: the session password is not retained and no stored credentials exist (or set com.openexchange.mail.passwordSource=global with a master password)`, { status: 403, params: [contextId, userId] });
}

export function loginRefused(login: string, server: string, response: string | undefined): KeelError {
  return new KeelError('MSG-0002', `IMAP login of ${login} refused by ${server}${response ? `: ${response}` : ''}`, { status: 403, params: [login, server] });
}

export function unreachable(server: string, detail: string): KeelError {
  return new KeelError('MSG-0003', `IMAP server ${server} unreachable or timed out: ${detail}`, { status: 503, params: [server] });
}

export function tooManyConnections(limit: number, waitedMs: number): KeelError {
  return new KeelError('MSG-0004', `All ${limit} IMAP connections (keel.mail.maxConnections) stayed busy for ${waitedMs} ms`, { status: 503, params: [limit] });
}

export function badMailServer(detail: string): KeelError {
  return new KeelError('MSG-0005', detail, { status: 500 });
}

export function commandRefused(command: string, server: string, detail: string): KeelError {
  return new KeelError('MSG-0006', `${command} refused by ${server}: ${detail}`, { status: 502, params: [command, server] });
}

export function clientUnsupported(detail: string): KeelError {
  return new KeelError('MSG-0007', `The IMAP client library cannot do this: ${detail}`, { status: 500 });
}
