import {
  ownerOf, type ClusterMembership, type CredentialStorage, type Logger, type PushManager, type PushRegistration, type PushService,
  type PushUser, type ServiceEntry, type Session, type SessionService, type UserService,
} from '@keel/plugin-sdk';
import { invalidInput, permanentPushNotPossible } from './errors.js';
import { forEachLimited } from './keyed-queue.js';
import { createListenerRegistry, parseUserKey, userKey } from './listener-registry.js';
import type { PushSettings } from './push-settings.js';
import type { RegistrationStore } from './registration-store.js';
import { MAX_CLIENT_LENGTH, MAX_LOGIN_LENGTH } from './push-schema.js';

export interface PushFrameworkOptions {
  settings: () => PushSettings;
  managers: () => ServiceEntry<PushManager>[];
  registrations: RegistrationStore;
  /** The highest-ranked membership right now. */
  membership: () => ClusterMembership;
  /** The highest-ranked credential storage right now, while credstorage is enabled. */
  credentials: () => CredentialStorage | undefined;
  sessions: SessionService;
  users: UserService;
  logger: Logger;
  /** Called after this node changed the registration table, so the other members can re-plan. */
  registrationsChanged?: () => void;
}

export interface PushFramework extends PushService {
  /** Node start, membership change, registration change: recompute ownership, stop what moved away, start what arrived. */
  replan(): Promise<{ moved: number; arrived: number }>;
  /** Re-checks every user known here (a manager came or went, settings were reloaded). */
  reconcileAll(): Promise<void>;
  sessionAdded(session: Session): Promise<void>;
  sessionRemoved(session: Session): Promise<void>;
  passwordChanged(user: PushUser, password: string): Promise<void>;
  userDeleted(user: PushUser): Promise<void>;
  close(): Promise<void>;
  /** Reasons permanent push is not possible here (empty when it is). */
  permanentPushObstacles(): string[];
  /** Listeners running here per manager name and kind. */
  listenerCounts(): Map<string, { permanent: number; session: number }>;
}

function validRegistration(registration: PushRegistration): PushRegistration {
  const { contextId, userId, client } = registration as Partial<PushRegistration>;
  if (!Number.isSafeInteger(contextId) || contextId! <= 0) throw invalidInput('contextId must be a positive integer');
  if (!Number.isSafeInteger(userId) || userId! <= 0) throw invalidInput('userId must be a positive integer');
  if (typeof client !== 'string' || client.trim() === '' || client.length > MAX_CLIENT_LENGTH) throw invalidInput(`client must be a non-empty string of at most ${MAX_CLIENT_LENGTH} characters`);
  return { contextId: contextId!, userId: userId!, client: client.trim() };
}

/**
 * The push framework: session-bound listeners for allowed clients, permanent listeners for
 * registered users owned by this node, ownership re-plans, and the credential updates that keep
 * permanent listeners able to log in.
 */
export function createPushFramework(options: PushFrameworkOptions): PushFramework {
  const { registrations, sessions, users, logger } = options;
  /** Registered users this node owned at the last plan. */
  let owned = new Set<string>();
  let planning: Promise<unknown> = Promise.resolve();

  function permanentPushObstacles(): string[] {
    const settings = options.settings();
    const obstacles: string[] = [];
    if (!settings.allowPermanentPush) obstacles.push('com.openexchange.push.allowPermanentPush is false');
    if (!options.managers().some((entry) => entry.service.supportsPermanentListeners())) obstacles.push('no push manager that supports permanent listeners is running');
    const global = settings.passwordSource === 'global' && settings.masterPasswordSet;
    if (!global && !settings.credstorage.enabled) {
      obstacles.push('no credentials without a session: set com.openexchange.mail.passwordSource=global with com.openexchange.mail.masterPassword, or com.openexchange.push.credstorage.enabled=true');
    }
    return obstacles;
  }
  const permanentPushPossible = () => permanentPushObstacles().length === 0;

  async function storedPassword(user: PushUser): Promise<string | undefined> {
    const storage = options.settings().credstorage.enabled ? options.credentials() : undefined;
    if (storage === undefined) return undefined;
    try {
      return (await storage.get(user))?.password;
    } catch (error) {
      logger.error({ context: user.contextId, user: user.userId, err: { code: (error as { code?: string }).code, message: (error as Error).message } }, 'stored push credentials unusable');
      return undefined;
    }
  }

  const registry = createListenerRegistry({
    managers: options.managers,
    registeredClients: (user) => registrations.clientsOf(user),
    permanentHere: (user) => owned.has(userKey(user)) && permanentPushPossible(),
    permanentPassword: storedPassword,
    async continuesElsewhere(user, registered) {
      if (registered && permanentPushPossible() && !owned.has(userKey(user))) return true;
      const local = registry.sessionIds(user);
      const { allowedClients } = options.settings();
      const all = await sessions.listByUser(user.contextId, user.userId).catch(() => []);
      return all.some((session) => !local.has(session.sessionId) && allowedClients.allows(session.client));
    },
    logger,
  });

  const concurrency = () => options.settings().startConcurrency;

  function replan(): Promise<{ moved: number; arrived: number }> {
    const run = planning.then(async () => {
      const membership = options.membership();
      const registered = await registrations.users();
      const owners = ownerOf(registered, membership.members());
      const next = new Set(registered.map(userKey).filter((key) => owners.get(key) === membership.selfId));
      const moved = [...owned].filter((key) => !next.has(key));
      const arrived = [...next].filter((key) => !owned.has(key));
      owned = next;
      if (moved.length + arrived.length > 0) {
        logger.info({ members: membership.members().length, owned: next.size, moved: moved.length, arrived: arrived.length }, 'permanent push listeners re-planned');
      }
      // What moved away stops first, so two members never hold the same user's resources for long.
      await forEachLimited(moved, concurrency(), (key) => registry.reconcile(parseUserKey(key)));
      await forEachLimited(arrived, concurrency(), (key) => registry.reconcile(parseUserKey(key)));
      return { moved: moved.length, arrived: arrived.length };
    });
    planning = run.catch(() => undefined);
    return run;
  }

  async function reconcileAll(): Promise<void> {
    const keys = new Set([...owned, ...registry.users().map(userKey)]);
    await forEachLimited([...keys], concurrency(), (key) => registry.reconcile(parseUserKey(key)));
  }

  async function saveCredentials(user: PushUser, login: string, password: string): Promise<boolean> {
    const storage = options.settings().credstorage.enabled ? options.credentials() : undefined;
    if (storage === undefined) return false;
    await storage.store(user, { login, password });
    logger.debug({ context: user.contextId, user: user.userId }, 'push credentials stored');
    return true;
  }

  return {
    async registerPermanent(input, credentials = {}) {
      const registration = validRegistration(input);
      const obstacles = permanentPushObstacles();
      if (obstacles.length > 0) throw permanentPushNotPossible(obstacles);
      const user = await users.require(registration.contextId, registration.userId);
      if (credentials.login !== undefined && (typeof credentials.login !== 'string' || credentials.login.length > MAX_LOGIN_LENGTH)) throw invalidInput(`login must be a string of at most ${MAX_LOGIN_LENGTH} characters`);
      if (credentials.password !== undefined && typeof credentials.password !== 'string') throw invalidInput('password must be a string');
      const added = await registrations.add(registration);
      if (credentials.password !== undefined) await saveCredentials(registration, credentials.login ?? user.login, credentials.password);
      // Announced once the credentials are stored: the owning member starts the listener with them.
      if (added) options.registrationsChanged?.();
      logger.info({ context: registration.contextId, user: registration.userId, client: registration.client, added }, 'permanent push registration stored');
      const wasOwned = owned.has(userKey(registration));
      // Ownership depends on the set of registered users, so a new one means a new plan.
      await replan();
      // A listener already running here restarts with the new password.
      if (wasOwned && credentials.password !== undefined) await registry.reconcile(registration, true);
    },

    async unregisterPermanent(input) {
      const registration = validRegistration(input);
      const removed = await registrations.remove(registration);
      if (!removed) return false;
      options.registrationsChanged?.();
      logger.info({ context: registration.contextId, user: registration.userId, client: registration.client }, 'permanent push registration removed');
      if ((await registrations.clientsOf(registration)).length === 0 && options.settings().credstorage.enabled) {
        // No registration left: the password has no reason to be kept.
        await options.credentials()?.remove(registration);
      }
      await registry.reconcile(registration);
      await replan();
      return true;
    },

    registrations: () => registrations.list(),
    runningListeners: () => registry.running(),
    listenerCounts: () => registry.counts(),
    permanentPushPossible,
    permanentPushObstacles,
    replan,
    reconcileAll,

    async sessionAdded(session) {
      const user = { contextId: session.contextId, userId: session.userId };
      const settings = options.settings();
      let renewed = false;
      if (settings.credstorage.enabled && session.password !== undefined && (await registrations.clientsOf(user)).length > 0) {
        renewed = await saveCredentials(user, session.loginName, session.password);
      }
      if (settings.allowedClients.allows(session.client)) {
        await registry.addSession(user, { sessionId: session.sessionId, client: session.client, ...(session.password !== undefined ? { password: session.password } : {}) });
      }
      // A permanent listener that lacked credentials (or had old ones) starts again with these.
      if (renewed && owned.has(userKey(user))) await registry.reconcile(user, true);
    },

    async sessionRemoved(session) {
      await registry.removeSession({ contextId: session.contextId, userId: session.userId }, session.sessionId);
    },

    async passwordChanged(user, password) {
      if (!options.settings().credstorage.enabled) return;
      const storage = options.credentials();
      if (storage === undefined) return;
      const existing = await storage.get(user).catch(() => undefined);
      if (existing === undefined && (await registrations.clientsOf(user)).length === 0) return;
      const login = existing?.login ?? (await users.get(user.contextId, user.userId))?.login ?? '';
      await saveCredentials(user, login, password);
      if (owned.has(userKey(user))) await registry.reconcile(user, true);
    },

    async userDeleted(user) {
      const removed = await registrations.removeUser(user);
      if (options.settings().credstorage.enabled) await options.credentials()?.remove(user);
      await registry.forgetUser(user);
      if (removed > 0) {
        options.registrationsChanged?.();
        await replan();
      }
    },

    async close() {
      await planning;
      await registry.close('shutdown');
    },
  };
}
