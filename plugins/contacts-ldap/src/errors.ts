// contacts-ldap's errors: stable CLDAP codes, messages that say what is wrong and where to fix it.
import { ContactErrorCodes, KeelError } from '@keel/plugin-sdk';

/** A configuration file is wrong; the bundle refuses to start (or keeps its old config on reload). */
export function configError(file: string, path: string, problem: string): KeelError {
  return new KeelError('CLDAP-0010', `${file}: ${path} ${problem}`, { status: 500, params: [file, path] });
}

export function readOnlyFolder(folderId: string, name: string): KeelError {
  return new KeelError(ContactErrorCodes.folderReadOnly, `Contact folder ${folderId} (${name}) comes from LDAP and is read-only`, { status: 403, params: [folderId] });
}

export function folderNotFound(folderId: string): KeelError {
  return new KeelError(ContactErrorCodes.folderNotFound, `Contact folder ${folderId} not found`, { status: 404, params: [folderId] });
}

export function unreachable(connection: string, hosts: readonly string[], detail: string): KeelError {
  return new KeelError('CLDAP-0002', `LDAP server of connection "${connection}" unreachable (${hosts.join(', ')}): ${detail}`, {
    status: 503, params: [connection],
  });
}

export function timedOut(connection: string, what: string, ms: number): KeelError {
  return new KeelError('CLDAP-0003', `LDAP connection "${connection}" did not ${what} within ${ms} ms`, { status: 504, params: [connection, ms] });
}

/** The service's own credentials were refused: an operator has to fix the config. */
export function serviceBindFailed(connection: string, dn: string, detail: string): KeelError {
  return new KeelError('CLDAP-0004', `LDAP bind as ${dn} (connection "${connection}") failed: ${detail}; check ldap-client-config.yml`, {
    status: 503, params: [connection],
  });
}

/** The user's own credentials were refused by the directory. */
export function userBindFailed(connection: string, detail: string): KeelError {
  return new KeelError('CLDAP-0004', `The LDAP directory (connection "${connection}") refused your credentials: ${detail}`, { status: 403, params: [connection] });
}

export function passwordUnavailable(connection: string): KeelError {
  return new KeelError('CLDAP-0005', `LDAP connection "${connection}" binds as the user, but this session holds no password: log in again`, {
    status: 403, params: [connection],
  });
}

export function userDnNotFound(connection: string, count: number): KeelError {
  return new KeelError('CLDAP-0006', `LDAP connection "${connection}": the user search found ${count === 0 ? 'no entry' : `${count} entries`} for your login, expected exactly one`, {
    status: 403, params: [connection, count],
  });
}

export function searchFailed(connection: string, detail: string): KeelError {
  return new KeelError('CLDAP-0007', `LDAP search on connection "${connection}" failed: ${detail}`, { status: 502, params: [connection] });
}

export function poolExhausted(connection: string, size: number, ms: number): KeelError {
  return new KeelError('CLDAP-0008', `All ${size} LDAP connections of "${connection}" stayed busy for ${ms} ms`, { status: 503, params: [connection, size] });
}
