import type { User } from '@keel/plugin-sdk';

/** Escapes an RDN value as RFC 4514 asks: `, + " \ < > ; =`, a leading `#` or space, a trailing space. */
export function escapeDnValue(value: string): string {
  return value
    .replace(/[,+"\\<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ');
}

/**
 * The DN MailStore keys a user by: the directory's own DN when the user came from one (LDAP, or an
 * upstream Application Integration server), else one made up from what never changes for a user,
 * `uid=<login>,ou=users,o=<context id>`, so MailStore recognises the user on every sync.
 */
export function distinguishedNameOf(user: Pick<User, 'login' | 'contextId' | 'externalDn'>): string {
  if (user.externalDn !== undefined && user.externalDn !== null && user.externalDn !== '') return user.externalDn;
  return `uid=${escapeDnValue(user.login)},ou=users,o=${user.contextId}`;
}
