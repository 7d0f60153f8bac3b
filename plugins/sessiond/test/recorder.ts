import {
  defineBundle, sessionAddedHook, sessionRemovedHook, sessionServiceRef, type Session, type SessionRemoval, type SessionService,
} from '@keel/plugin-sdk';

/** A bundle that listens to the session hooks the way mail push does, and keeps what it saw. */
export function createRecorder() {
  const added: Session[] = [];
  const removed: SessionRemoval[] = [];
  let sessions: SessionService | undefined;
  const bundle = defineBundle({
    requires: { sessions: sessionServiceRef },
    start({ hooks, services }) {
      sessions = services.sessions;
      hooks.get(sessionAddedHook).tapPromise('recorder', async (session) => {
        added.push(session);
      });
      hooks.get(sessionRemovedHook).tapPromise('recorder', async (removal) => {
        removed.push(removal);
      });
    },
  });
  return {
    bundle,
    added,
    removed,
    get sessions(): SessionService {
      if (sessions === undefined) throw new Error('recorder bundle not started');
      return sessions;
    },
    removalOf: (sessionId: string) => removed.find((removal) => removal.session.sessionId === sessionId),
  };
}
