import type { Session, SessionStorage } from '@keel/plugin-sdk';

/**
 * Sessions of this process, with an index per user. The stored objects are the live ones: the
 * password a session retains stays on this object and never leaves the process.
 */
export function createMemorySessionStorage(): SessionStorage & { clear(): void } {
  const sessions = new Map<string, Session>();
  const byUser = new Map<string, Set<string>>();
  const userKey = (contextId: number, userId: number) => `${contextId}:${userId}`;

  function unindex(session: Session): void {
    const key = userKey(session.contextId, session.userId);
    const ids = byUser.get(key);
    ids?.delete(session.sessionId);
    if (ids?.size === 0) byUser.delete(key);
  }

  return {
    async put(session) {
      const previous = sessions.get(session.sessionId);
      if (previous !== undefined) unindex(previous);
      sessions.set(session.sessionId, session);
      const key = userKey(session.contextId, session.userId);
      let ids = byUser.get(key);
      if (ids === undefined) byUser.set(key, (ids = new Set()));
      ids.add(session.sessionId);
    },
    async get(sessionId) {
      return sessions.get(sessionId);
    },
    async touch(sessionId, at) {
      const session = sessions.get(sessionId);
      if (session !== undefined && at > session.lastActiveAt) session.lastActiveAt = at;
    },
    async delete(sessionId) {
      const session = sessions.get(sessionId);
      if (session === undefined) return undefined;
      sessions.delete(sessionId);
      unindex(session);
      return session;
    },
    async listByUser(contextId, userId) {
      const ids = byUser.get(userKey(contextId, userId));
      return ids === undefined ? [] : [...ids].map((id) => sessions.get(id)!);
    },
    async list() {
      return [...sessions.values()];
    },
    async count() {
      return sessions.size;
    },
    clear() {
      sessions.clear();
      byUser.clear();
    },
  };
}
