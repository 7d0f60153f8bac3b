import type { Context, ContextService, User, UserService } from '@keel/plugin-sdk';

/**
 * Finds the user a login names. Tried in order, first hit wins:
 * 1. `name@mapping` where `mapping` is a context's login mapping: login `name` in that context,
 *    else the whole string as a mail address (primary or alias) there;
 * 2. the default context: the whole string as a login (logins may contain `@`), else as a mail address.
 * With `contextId` given, only that context is searched (login, then the part before `@`, then mail).
 */
export async function resolveLogin(
  directory: { contexts: ContextService; users: UserService },
  login: string,
  contextId?: number,
): Promise<User | undefined> {
  const { contexts, users } = directory;
  const at = login.lastIndexOf('@');
  const local = at > 0 ? login.slice(0, at) : login;
  const mapping = at > 0 ? login.slice(at + 1) : '';

  if (contextId !== undefined) {
    return (await users.findByLogin(contextId, login))
      ?? (at > 0 ? (await users.findByLogin(contextId, local)) ?? (await users.findByMail(contextId, login)) : undefined);
  }

  if (at > 0 && mapping !== '') {
    const context: Context | undefined = await contexts.findByLoginMapping(mapping);
    if (context !== undefined) {
      const user = (await users.findByLogin(context.id, local)) ?? (await users.findByMail(context.id, login));
      if (user !== undefined) return user;
    }
  }

  const fallback = await contexts.defaultContext();
  if (fallback === undefined) return undefined;
  return (await users.findByLogin(fallback.id, login)) ?? (at > 0 ? await users.findByMail(fallback.id, login) : undefined);
}
