import type { ContextService, PushUser, UserService } from '@keel/plugin-sdk';

/**
 * Who Dovecot means by `user`: `<uid>@<cid>` when it reads the METADATA entry Keel set
 * (`user_from_metadata`), otherwise the IMAP login — `login@mapping` (the context by login
 * mapping, then the user by login, full login or mail address) or a login of the default context.
 */
export function createUserResolver(contexts: ContextService, users: UserService) {
  async function inContext(contextId: number, ...candidates: Array<() => Promise<{ id: number } | undefined>>): Promise<PushUser | undefined> {
    for (const candidate of candidates) {
      const user = await candidate();
      if (user !== undefined) return { contextId, userId: user.id };
    }
    return undefined;
  }

  return async function resolve(name: string): Promise<PushUser | undefined> {
    const ids = /^(\d{1,9})@(\d{1,9})$/.exec(name);
    if (ids) {
      const user = await users.get(Number(ids[2]), Number(ids[1]));
      if (user !== undefined) return { contextId: user.contextId, userId: user.id };
    }
    const at = name.lastIndexOf('@');
    if (at > 0) {
      const context = await contexts.findByLoginMapping(name.slice(at + 1).toLowerCase());
      if (context !== undefined) {
        const found = await inContext(context.id,
          () => users.findByLogin(context.id, name.slice(0, at)),
          () => users.findByLogin(context.id, name),
          () => users.findByMail(context.id, name));
        if (found !== undefined) return found;
      }
    }
    const fallback = await contexts.defaultContext();
    if (fallback === undefined) return undefined;
    return inContext(fallback.id, () => users.findByLogin(fallback.id, name), () => (at > 0 ? users.findByMail(fallback.id, name) : Promise.resolve(undefined)));
  };
}

/**
 * Remembers resolved users for a short while: Dovecot names the same few users again and again,
 * and each lookup is a directory query on the notify path. Only hits are kept (an unknown user
 * may be created any moment); a deleted user is dropped at once through `forget`.
 */
export function cachedResolver(resolve: (name: string) => Promise<PushUser | undefined>, options: { ttlMs: number; maxEntries: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { user: PushUser; expires: number }>();
  return {
    async resolve(name: string): Promise<PushUser | undefined> {
      const hit = entries.get(name);
      if (hit !== undefined && hit.expires > now()) return hit.user;
      entries.delete(name);
      const user = await resolve(name);
      if (user !== undefined && options.ttlMs > 0) {
        if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(name, { user, expires: now() + options.ttlMs });
      }
      return user;
    },
    forget(user: PushUser): void {
      for (const [name, entry] of entries) if (entry.user.contextId === user.contextId && entry.user.userId === user.userId) entries.delete(name);
    },
    get size() {
      return entries.size;
    },
  };
}
