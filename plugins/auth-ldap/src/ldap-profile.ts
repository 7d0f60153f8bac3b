import type { LdapEntry } from './ldap-directory.js';
import type { LdapSettings } from './ldap-settings.js';

/** What the local user copies from the LDAP entry. */
export interface LdapProfile {
  dn: string;
  login: string;
  email?: string;
  displayName: string;
  aliases: string[];
}

/**
 * Maps an entry to the local user's fields. The login comes from the login attribute (so `ALICE` and
 * `alice` are one user, spelled as the directory spells it); `typedLogin` is the fallback when the
 * entry has none, and picks among several values.
 */
export function profileOf(entry: LdapEntry, mapping: LdapSettings['attributes'], typedLogin: string): LdapProfile {
  const values = (name: string) => (entry.attributes.get(name.toLowerCase()) ?? []).map((value) => value.trim()).filter((value) => value !== '');
  const logins = values(mapping.login);
  const login = logins.find((value) => value.toLowerCase() === typedLogin.toLowerCase()) ?? logins[0] ?? typedLogin;
  const email = values(mapping.mail)[0];
  const displayName = mapping.displayName.map((name) => values(name)[0]).find((value) => value !== undefined) ?? login;
  const seen = new Set(email === undefined ? [] : [email.toLowerCase()]);
  const aliases: string[] = [];
  for (const alias of mapping.aliases.flatMap(values)) {
    if (seen.has(alias.toLowerCase())) continue;
    seen.add(alias.toLowerCase());
    aliases.push(alias);
  }
  return { dn: entry.dn, login, ...(email !== undefined ? { email } : {}), displayName, aliases };
}
