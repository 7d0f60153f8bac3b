import { createServiceRef } from '../service-ref.js';

export interface PushUser { contextId: number; userId: number }

export interface PushListenerRequest extends PushUser {
  /** A permanent listener runs without a session (credentials from credential storage or the master password). */
  permanent: boolean;
  /** The client that asked (session-bound) or registered (permanent). */
  client: string;
  /** The session that started a session-bound listener. */
  sessionId?: string;
  /** The login password when available (retained session password or credential storage). Never log it. */
  password?: string;
}

/**
 * Why a listener stops. `finished`: the user needs no mail push any more (the last push session
 * ended and no permanent registration is left, or the registration was removed and no push session
 * is left): undo what was registered at the mail server. `moved`: push for the user goes on
 * elsewhere (another member owns the permanent listener now, or a listener of the other kind took
 * over): keep mail-server registrations. `shutdown`: this node or the push framework stops and the
 * listener comes back with the next start: keep them too, release only local resources.
 */
export type PushListenerStopReason = 'finished' | 'moved' | 'shutdown';

export interface PushListener {
  /**
   * Stops the listener; called when the last session ends or the permanent registration goes away
   * or moves to another member, and on shutdown. An absent reason means `finished`.
   */
  stop(reason?: PushListenerStopReason): Promise<void>;
}

/**
 * A mail push implementation (push-dovecot, push-imapidle, push-mailnotify), registered as a
 * multiple service. The push framework decides when listeners run; the manager only starts them.
 */
export interface PushManager {
  /** `dovecot`, `imapidle`, `mailnotify`. */
  readonly name: string;
  /** Whether this manager can run listeners without a session. */
  supportsPermanentListeners(): boolean;
  /** Whether its listeners hold resources (connections) and so are spread over cluster members. */
  readonly holdsResources: boolean;
  /** Starts a listener for a user; undefined when this manager does not serve that user (e.g. disabled in the cascade). */
  startListener(request: PushListenerRequest): Promise<PushListener | undefined>;
}

export interface PushRegistration extends PushUser { client: string }

export interface RunningPushListener extends PushUser { manager: string; permanent: boolean; client: string }

/**
 * The push framework (push bundle): session-bound and permanent listeners, registrations
 * (`registeredPush`), the `pushusers` view. Errors: `PSH-0001` permanent push not possible
 * (not allowed, no capable manager, or no credentials), `PSH-0002` unknown registration.
 */
export interface PushService {
  /** Registers a permanent listener for (user, client): stored, credentials updated, started on the owning member. */
  registerPermanent(registration: PushRegistration, options?: { password?: string; login?: string }): Promise<void>;
  /** Removes a registration; returns false when there was none. */
  unregisterPermanent(registration: PushRegistration): Promise<boolean>;
  registrations(): Promise<PushRegistration[]>;
  /** Listeners running on this node. */
  runningListeners(): RunningPushListener[];
  /** Whether permanent listeners can run here at all (allowPermanentPush, a capable manager, credentials). */
  permanentPushPossible(): boolean;
}

/**
 * Login credentials kept for permanent listeners (`com.openexchange.push.credstorage.*`). Only the
 * password is encrypted: AES-256-GCM, key from scrypt over the passcrypt. Errors: `CRD-0001`
 * passcrypt missing, `CRD-0002` stored credentials cannot be decrypted (passcrypt changed).
 */
export interface CredentialStorage {
  store(user: PushUser, credentials: { login: string; password: string }): Promise<void>;
  get(user: PushUser): Promise<{ login: string; password: string } | undefined>;
  remove(user: PushUser): Promise<void>;
}

/**
 * Which member of the installation runs which permanent listener. On a single node the push
 * bundle's own membership has one member; a cluster bundle registers one backed by its members.
 */
export interface ClusterMembership {
  /** This node's stable id. */
  readonly selfId: string;
  /** Ids of the live members able to run permanent listeners, in a stable order (the same on every node). */
  members(): readonly string[];
  /** Called after membership changed (joins, leaves); returns an unsubscribe. */
  onChange(listener: () => void): () => void;
}

/** Cluster-wide exclusive locks with expiry (push-imapidle `clusterLock`). */
export interface LockService {
  /** Tries to take `name` for `ttlMs`; returns a release function, or undefined when another holder has it. */
  tryLock(name: string, ttlMs: number): Promise<{ release(): Promise<void>; extend(ttlMs: number): Promise<boolean> } | undefined>;
}

export const pushManagerRef = createServiceRef<PushManager>({ id: 'push.manager', version: '1.0.0', multiple: true });
export const pushServiceRef = createServiceRef<PushService>({ id: 'push.service', version: '1.0.0' });
export const credentialStorageRef = createServiceRef<CredentialStorage>({ id: 'push.credential-storage', version: '1.0.0' });
export const clusterMembershipRef = createServiceRef<ClusterMembership>({ id: 'cluster.membership', version: '1.0.0' });
export const lockServiceRef = createServiceRef<LockService>({ id: 'cluster.locks', version: '1.0.0' });

/** Member `i mod N` of the stable member order owns the i-th user in (context, user) order. */
export function ownerOf(users: readonly PushUser[], members: readonly string[]): Map<string, string> {
  const owners = new Map<string, string>();
  if (members.length === 0) return owners;
  const sorted = [...users].sort((a, b) => a.contextId - b.contextId || a.userId - b.userId);
  sorted.forEach((user, i) => owners.set(`${user.contextId}:${user.userId}`, members[i % members.length]!));
  return owners;
}
