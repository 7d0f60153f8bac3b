import { isKeelError } from '@keel/plugin-sdk';
import type { Logger, PushListener, PushListenerStopReason, PushManager, PushUser, RunningPushListener, ServiceEntry } from '@keel/plugin-sdk';
import { createKeyedQueue } from './keyed-queue.js';

/** A session of an allowed client on this node. */
export interface PushSessionInfo { sessionId: string; client: string; password?: string }

interface RunningListener { manager: string; listener: PushListener; permanent: boolean; client: string }

interface UserState {
  user: PushUser;
  sessions: Map<string, PushSessionInfo>;
  /** By the manager's service id. */
  listeners: Map<number, RunningListener>;
}

export interface ListenerRegistryOptions {
  managers: () => ServiceEntry<PushManager>[];
  /** Clients the user holds a permanent registration for (empty: none). */
  registeredClients: (user: PushUser) => Promise<string[]>;
  /** Whether a permanent listener for this registered user belongs on this node (permanent push possible and owned here). */
  permanentHere: (user: PushUser) => boolean;
  /** The password for a permanent listener (credential storage), if any. */
  permanentPassword: (user: PushUser) => Promise<string | undefined>;
  /** Whether push for the user goes on elsewhere when it stops here (another member's permanent listener, push sessions on other nodes). */
  continuesElsewhere: (user: PushUser, registered: boolean) => Promise<boolean>;
  logger: Logger;
}

export const userKey = (user: PushUser) => `${user.contextId}:${user.userId}`;

export function parseUserKey(key: string): PushUser {
  const [contextId, userId] = key.split(':').map(Number);
  return { contextId: contextId!, userId: userId! };
}

/**
 * Which listeners run on this node, per user and push manager, and the one place that changes
 * that: `reconcile` compares what should run (a permanent listener when the user is registered and
 * owned here and the manager supports it, else a session-bound one while the user has push
 * sessions here) with what runs, starts the missing one first and then stops the replaced one, so
 * a manager never sees a gap. Work for one user is serialised; users proceed in parallel.
 */
export function createListenerRegistry(options: ListenerRegistryOptions) {
  const { logger } = options;
  const states = new Map<string, UserState>();
  const queue = createKeyedQueue();
  let closed = false;

  const stateOf = (user: PushUser): UserState => {
    const key = userKey(user);
    let state = states.get(key);
    if (state === undefined) {
      state = { user: { contextId: user.contextId, userId: user.userId }, sessions: new Map(), listeners: new Map() };
      states.set(key, state);
    }
    return state;
  };

  const describe = (user: PushUser, manager: string) => ({ context: user.contextId, user: user.userId, manager });
  const failure = (error: unknown) => ({ code: isKeelError(error) ? error.code : undefined, message: (error as Error).message });

  async function start(user: PushUser, manager: PushManager, kind: 'permanent' | 'session', clients: readonly string[], sessions: ReadonlyMap<string, PushSessionInfo>): Promise<RunningListener | undefined> {
    const session = [...sessions.values()].find((candidate) => candidate.password !== undefined) ?? sessions.values().next().value;
    const permanent = kind === 'permanent';
    const client = permanent ? clients[0]! : session!.client;
    const password = permanent ? await options.permanentPassword(user) : session?.password;
    try {
      const listener = await manager.startListener({
        contextId: user.contextId,
        userId: user.userId,
        permanent,
        client,
        ...(permanent ? {} : { sessionId: session!.sessionId }),
        ...(password !== undefined ? { password } : {}),
      });
      if (listener === undefined) {
        logger.debug(describe(user, manager.name), 'push manager does not serve this user');
        return undefined;
      }
      logger.info({ ...describe(user, manager.name), permanent, client }, 'push listener started');
      return { manager: manager.name, listener, permanent, client };
    } catch (error) {
      logger.error({ ...describe(user, manager.name), permanent, err: failure(error) }, 'push listener could not start');
      return undefined;
    }
  }

  async function stop(user: PushUser, running: RunningListener, reason: PushListenerStopReason): Promise<void> {
    try {
      await running.listener.stop(reason);
      logger.info({ ...describe(user, running.manager), permanent: running.permanent, reason }, 'push listener stopped');
    } catch (error) {
      logger.error({ ...describe(user, running.manager), reason, err: failure(error) }, 'push listener did not stop cleanly');
    }
  }

  async function reconcileNow(user: PushUser, renewPermanent: boolean): Promise<void> {
    if (closed) return;
    const key = userKey(user);
    const state = stateOf(user);
    const clients = await options.registeredClients(user);
    const permanentHere = clients.length > 0 && options.permanentHere(user);
    const entries = options.managers();
    const live = new Set(entries.map((entry) => entry.serviceId));
    // A manager that went away took its listeners with it (its bundle stopped them).
    for (const id of [...state.listeners.keys()]) if (!live.has(id)) state.listeners.delete(id);

    let elsewhere: boolean | undefined;
    for (const entry of entries) {
      const manager = entry.service;
      const want = permanentHere && manager.supportsPermanentListeners() ? 'permanent' : state.sessions.size > 0 ? 'session' : undefined;
      const have = state.listeners.get(entry.serviceId);
      const haveKind = have === undefined ? undefined : have.permanent ? 'permanent' : 'session';
      if (want === haveKind && !(renewPermanent && want === 'permanent')) continue;
      const started = want === undefined ? undefined : await start(user, manager, want, clients, state.sessions);
      if (started !== undefined) state.listeners.set(entry.serviceId, started);
      else state.listeners.delete(entry.serviceId);
      if (have !== undefined) {
        const goesOn = started !== undefined || (elsewhere ??= await options.continuesElsewhere(user, clients.length > 0));
        await stop(user, have, goesOn ? 'moved' : 'finished');
      }
    }
    if (state.sessions.size === 0 && state.listeners.size === 0) states.delete(key);
  }

  const reconcile = (user: PushUser, renewPermanent = false) => queue.run(userKey(user), () => reconcileNow(user, renewPermanent));

  return {
    reconcile,
    /** A session of an allowed client appeared on this node. */
    addSession(user: PushUser, session: PushSessionInfo): Promise<void> {
      return queue.run(userKey(user), async () => {
        if (closed) return;
        stateOf(user).sessions.set(session.sessionId, session);
        await reconcileNow(user, false);
      });
    },
    /** A session ended; false when it was not one of ours. */
    removeSession(user: PushUser, sessionId: string): Promise<boolean> {
      return queue.run(userKey(user), async () => {
        const state = states.get(userKey(user));
        if (state === undefined || !state.sessions.delete(sessionId)) return false;
        await reconcileNow(user, false);
        return true;
      });
    },
    /** The user is gone: forget their sessions and stop what runs. */
    forgetUser(user: PushUser): Promise<void> {
      return queue.run(userKey(user), async () => {
        states.get(userKey(user))?.sessions.clear();
        await reconcileNow(user, false);
      });
    },
    /** Session ids of the user's push sessions tracked here. */
    sessionIds(user: PushUser): ReadonlySet<string> {
      return new Set(states.get(userKey(user))?.sessions.keys() ?? []);
    },
    /** Users with sessions or listeners here. */
    users(): PushUser[] {
      return [...states.values()].map((state) => state.user);
    },
    running(): RunningPushListener[] {
      return [...states.values()]
        .flatMap((state) => [...state.listeners.values()].map((running) => ({
          contextId: state.user.contextId, userId: state.user.userId, manager: running.manager, permanent: running.permanent, client: running.client,
        })))
        .sort((a, b) => a.contextId - b.contextId || a.userId - b.userId || a.manager.localeCompare(b.manager));
    },
    /** Running listeners per manager name and kind, for the metrics source (a walk over memory, unsorted). */
    counts(): Map<string, { permanent: number; session: number }> {
      const counts = new Map<string, { permanent: number; session: number }>();
      for (const state of states.values()) {
        for (const running of state.listeners.values()) {
          let entry = counts.get(running.manager);
          if (entry === undefined) counts.set(running.manager, (entry = { permanent: 0, session: 0 }));
          if (running.permanent) entry.permanent++;
          else entry.session++;
        }
      }
      return counts;
    },
    /** Stops everything (node or bundle shutdown) and refuses further work. */
    async close(reason: PushListenerStopReason): Promise<void> {
      closed = true;
      await queue.idle();
      const all = [...states.values()];
      states.clear();
      await Promise.all(all.map(async (state) => {
        for (const running of state.listeners.values()) await stop(state.user, running, reason);
      }));
    },
    idle: () => queue.idle(),
  };
}

export type ListenerRegistry = ReturnType<typeof createListenerRegistry>;
