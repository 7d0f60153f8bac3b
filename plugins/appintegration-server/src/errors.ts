// Every error the Application Integration endpoint answers, with its status, in one place. The HTTP
// layer turns a thrown KeelError into `{"error": message, "code": code}` with the status and headers.
import { KeelError } from '@keel/plugin-sdk';

/** Missing or wrong HTTP Basic credentials of an integration account (401 with the realm). */
export function credentialsRequired(realm: string, detail: string): KeelError {
  return new KeelError('AIS-0001', `Application Integration needs the login and password of an integration account (HTTP Basic): ${detail}`, {
    status: 401,
    headers: { 'www-authenticate': `Basic realm="${realm.replace(/["\\]/g, '')}", charset="UTF-8"` },
  });
}

/** MailStore only ever POSTs; anything else is a client that is not MailStore. */
export function methodNotAllowed(method: string): KeelError {
  return new KeelError('AIS-0002', `Method ${method} is not allowed: Application Integration requests are POST requests`, {
    status: 405,
    params: [method],
    headers: { allow: 'POST' },
  });
}

/** The body must be a form; 400 (not 415) as the issue asks for every malformed request. */
export function notAForm(contentType: string | undefined): KeelError {
  const got = contentType === undefined || contentType === '' ? 'no Content-Type' : `Content-Type '${contentType}'`;
  return new KeelError('AIS-0003', `The request body must be application/x-www-form-urlencoded, got ${got}`, { status: 400, params: [contentType ?? ''] });
}

export function missingCommand(): KeelError {
  return new KeelError('AIS-0004', "Parameter 'cmd' is missing: use cmd=list or cmd=auth", { status: 400 });
}

export function unknownCommand(cmd: string): KeelError {
  const shown = cmd.length > 40 ? `${cmd.slice(0, 40)}…` : cmd;
  return new KeelError('AIS-0005', `Unknown cmd '${shown}': use cmd=list or cmd=auth`, { status: 400, params: [shown] });
}

export function missingParameter(name: string, cmd: string): KeelError {
  return new KeelError('AIS-0006', `Parameter '${name}' is missing for cmd=${cmd}`, { status: 400, params: [name] });
}

/** The account points at a context that does not exist (an operator error in appintegration.yml). */
export function contextUnavailable(account: string, contextId: number): KeelError {
  return new KeelError('AIS-0007', `Integration account '${account}' names context ${contextId}, which does not exist; fix appintegration.yml`, {
    status: 503,
    params: [account, contextId],
  });
}

/** appintegration.yml cannot be used; names the file, the account and what is wrong. */
export function invalidAccounts(file: string, detail: string): KeelError {
  return new KeelError('AIS-0008', `${file}: ${detail}`, { status: 500, params: [file] });
}
