import type { Context, User } from '@keel/plugin-sdk';

export interface MatchOptions {
  useFullEmailAddress: boolean;
  useOxLogin: boolean;
}

/**
 * The names a notifyd packet may carry for a user (lower-case): the local parts of the primary
 * address and aliases (or the whole addresses with use_full_email_address); with use_ox_login also
 * the Keel login and `login@<mapping>` for each login mapping of the user's context, which is how
 * users of a non-default context log in.
 */
export function mailboxNamesOf(user: User, context: Context | undefined, options: MatchOptions): string[] {
  const names = new Set<string>();
  for (const address of [user.email, ...user.aliases]) {
    const normalised = address.trim().toLowerCase();
    if (normalised === '') continue;
    const at = normalised.lastIndexOf('@');
    names.add(options.useFullEmailAddress || at < 0 ? normalised : normalised.slice(0, at));
  }
  if (options.useOxLogin) {
    const login = user.login.trim().toLowerCase();
    if (login !== '') {
      names.add(login);
      if (!login.includes('@')) for (const mapping of context?.loginMappings ?? []) names.add(`${login}@${mapping.toLowerCase()}`);
    }
  }
  names.delete('');
  return [...names];
}
