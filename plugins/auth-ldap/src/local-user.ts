import { isKeelError, type User, type UserService, type UserUpdate } from '@keel/plugin-sdk';
import type { LdapProfile } from './ldap-profile.js';

export const LDAP_SOURCE = 'ldap';

export type LocalUserResult =
  | { outcome: 'ready'; user: User; created: boolean; updated: boolean }
  /** A user with this login exists but authenticates elsewhere: never touched. */
  | { outcome: 'foreign'; source: string }
  | { outcome: 'invalid'; reason: string };

/**
 * The local user of an LDAP entry: created at the first login (source `ldap`, no local password),
 * brought up to date with the entry on later ones. Users of any other source are left alone.
 */
export async function ensureLocalUser(users: UserService, contextId: number, profile: LdapProfile): Promise<LocalUserResult> {
  const existing = await users.findByLogin(contextId, profile.login);
  if (existing !== undefined) return update(users, existing, profile);
  if (profile.email === undefined) return { outcome: 'invalid', reason: `LDAP entry ${profile.dn} has no mail address` };
  try {
    const user = await users.create(contextId, {
      login: profile.login,
      displayName: profile.displayName,
      email: profile.email,
      aliases: profile.aliases,
      source: LDAP_SOURCE,
      externalDn: profile.dn,
    });
    return { outcome: 'ready', user, created: true, updated: false };
  } catch (error) {
    if (!isKeelError(error)) throw error;
    // A concurrent first login of the same user may have created it meanwhile.
    const raced = error.code === 'USR-0002' ? await users.findByLogin(contextId, profile.login) : undefined;
    if (raced !== undefined) return update(users, raced, profile);
    return { outcome: 'invalid', reason: `cannot create the local user for ${profile.dn}: ${error.message}` };
  }
}

async function update(users: UserService, user: User, profile: LdapProfile): Promise<LocalUserResult> {
  if (user.source !== LDAP_SOURCE) return { outcome: 'foreign', source: user.source };
  const change: UserUpdate = {};
  if (user.displayName !== profile.displayName) change.displayName = profile.displayName;
  if (profile.email !== undefined && user.email.toLowerCase() !== profile.email.toLowerCase()) change.email = profile.email;
  if (!sameAddresses(user.aliases, profile.aliases)) change.aliases = profile.aliases;
  if (user.externalDn !== profile.dn) change.externalDn = profile.dn;
  if (Object.keys(change).length === 0) return { outcome: 'ready', user, created: false, updated: false };
  try {
    return { outcome: 'ready', user: await users.update(user.contextId, user.id, change), created: false, updated: true };
  } catch (error) {
    if (!isKeelError(error)) throw error;
    return { outcome: 'invalid', reason: `cannot update the local user ${user.id} from ${profile.dn}: ${error.message}` };
  }
}

function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  const normalize = (list: readonly string[]) => [...new Set(list.map((value) => value.toLowerCase()))].sort().join('\n');
  return normalize(a) === normalize(b);
}
