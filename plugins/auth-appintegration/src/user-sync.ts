// User synchronisation from an Application Integration server's cmd=list into one context.
import { isKeelError, type Logger, type User, type UserCreate, type UserService, type UserUpdate } from '@keel/plugin-sdk';
import type { IntegrationClient } from './integration-client.js';
import { toRemoteUser, type RemoteUser } from './remote-user.js';

/** The `source` of users this bundle created; only those are ever updated or disabled by a sync. */
export const SYNC_SOURCE = 'appintegration';
/** Set on users a sync disabled (an ISO time), so that only those are re-enabled when they come back. */
export const DISABLED_BY_SYNC = 'appintegration/disabledBySync';

export type SyncPhase = 'fetching' | 'reading' | 'applying' | 'done';

export interface SyncProgress {
  phase: SyncPhase;
  /** Users received (fetching), read (reading) or written (applying). */
  done: number;
  /** Known while applying: the number of changes. */
  total?: number;
  bytes?: number;
  totalBytes?: number;
}

export interface PlannedChange {
  action: 'create' | 'update' | 'disable';
  login: string;
  userId?: number;
  /** What changes, for the dry-run plan: `displayName: 'A' → 'B'`. */
  changes: string[];
}

export interface SyncSummary {
  contextId: number;
  dryRun: boolean;
  /** Entries in the server's list. */
  listed: number;
  created: number;
  updated: number;
  disabled: number;
  unchanged: number;
  /** Entries not used: invalid, duplicate, without mail address, or naming a user of another source. */
  skipped: number;
  /** Changes the directory refused (e.g. a mail address another user has). */
  failed: number;
  durationMs: number;
  /** Dry run only: every change a real run would make, in order. */
  plan?: PlannedChange[];
  /** The first problems, each naming the user; `problemCount` has them all. */
  problems: string[];
  problemCount: number;
}

export interface SyncOptions {
  contextId: number;
  dryRun: boolean;
  client: IntegrationClient;
  users: UserService;
  logger: Logger;
  onProgress?: (progress: SyncProgress) => void;
  /** Writes in flight at once (default 4). */
  concurrency?: number;
  now?: () => Date;
  /** Aborted when the bundle stops: the sync ends before its next write. */
  signal?: AbortSignal;
}

type Action =
  | { kind: 'create'; login: string; input: UserCreate; changes: string[] }
  | { kind: 'update' | 'disable'; login: string; userId: number; update: UserUpdate; changes: string[] };

const MAX_PROBLEMS = 50;

function looksLikeMail(text: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text);
}

function quote(value: string | undefined): string {
  return value === undefined ? '(none)' : `'${value}'`;
}

/** What the user should look like locally; aliases normalised as the directory stores them. */
function desiredOf(remote: RemoteUser): { displayName: string; email: string | undefined; aliases: string[] } {
  const email = remote.emailAddresses[0] ?? (looksLikeMail(remote.userName) ? remote.userName : undefined);
  const aliases = remote.emailAddresses.slice(1).filter((alias) => alias.toLowerCase() !== email?.toLowerCase());
  return { displayName: remote.fullName ?? remote.userName, email, aliases };
}

function updateFor(local: User, remote: RemoteUser): { update: UserUpdate; changes: string[] } {
  const desired = desiredOf(remote);
  const update: UserUpdate = {};
  const changes: string[] = [];
  if (desired.displayName !== local.displayName) {
    update.displayName = desired.displayName;
    changes.push(`displayName: ${quote(local.displayName)} → ${quote(desired.displayName)}`);
  }
  // A server that sends no addresses leaves the stored ones alone.
  if (desired.email !== undefined) {
    if (desired.email !== local.email) {
      update.email = desired.email;
      changes.push(`email: ${quote(local.email)} → ${quote(desired.email)}`);
    }
    if (desired.aliases.join('\n') !== local.aliases.join('\n')) {
      update.aliases = desired.aliases;
      changes.push(`aliases: [${local.aliases.join(', ')}] → [${desired.aliases.join(', ')}]`);
    }
  }
  if (remote.distinguishedName !== undefined && remote.distinguishedName !== local.externalDn) {
    update.externalDn = remote.distinguishedName;
    changes.push(`distinguishedName: ${quote(local.externalDn)} → ${quote(remote.distinguishedName)}`);
  }
  // Only users a sync disabled come back; an administrator's decision to disable someone stands.
  if (!local.enabled && local.attributes[DISABLED_BY_SYNC] !== undefined) {
    update.enabled = true;
    update.attributes = { [DISABLED_BY_SYNC]: null };
    changes.push('enabled: false → true (back in the list)');
  }
  return { update, changes };
}

/**
 * Reads the whole list first (a list that breaks off or is not JSON changes nothing), then the context's
 * users, then plans, then writes. Users are created with source `appintegration` and no local password,
 * updated when name, addresses or DN changed, and disabled (never deleted) when they left the list.
 * Users of other sources are never touched, even when the list names them.
 */
export async function syncUsers(options: SyncOptions): Promise<SyncSummary> {
  const { contextId, dryRun, client, users, logger, signal } = options;
  const started = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (text: string) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS) problems.push(text);
  };
  let skipped = 0;

  // 1. The server's list, one entry at a time.
  const remote = new Map<string, RemoteUser>();
  let listed = 0;
  progress({ phase: 'fetching', done: 0 });
  for await (const entry of client.listUsers((p) => progress({ phase: 'fetching', done: p.users, bytes: p.bytes, ...(p.totalBytes !== undefined ? { totalBytes: p.totalBytes } : {}) }))) {
    listed++;
    const user = toRemoteUser(entry);
    if (typeof user === 'string') {
      skipped++;
      problem(`list entry ${listed}: ${user}`);
      continue;
    }
    const key = user.userName.toLowerCase();
    if (remote.has(key)) {
      skipped++;
      problem(`'${user.userName}': listed twice; the first entry is used`);
      continue;
    }
    remote.set(key, user);
  }

  signal?.throwIfAborted();
  // 2. The context's users, streamed (keyset pages), keyed like the directory keys logins.
  const local = new Map<string, User>();
  progress({ phase: 'reading', done: 0 });
  for await (const user of users.stream(contextId, 1000)) {
    local.set(user.login.toLowerCase(), user);
    if (local.size % 1000 === 0) progress({ phase: 'reading', done: local.size });
  }

  // 3. The plan.
  const actions: Action[] = [];
  let unchanged = 0;
  for (const [key, wanted] of remote) {
    const existing = local.get(key);
    if (existing === undefined) {
      const desired = desiredOf(wanted);
      if (desired.email === undefined) {
        skipped++;
        problem(`'${wanted.userName}': no mail address in the list and the userName is none; not created`);
        continue;
      }
      const input: UserCreate = { login: wanted.userName, displayName: desired.displayName, email: desired.email, aliases: desired.aliases, source: SYNC_SOURCE };
      if (wanted.distinguishedName !== undefined) input.externalDn = wanted.distinguishedName;
      actions.push({ kind: 'create', login: wanted.userName, input, changes: [`email ${desired.email}`, `displayName ${quote(desired.displayName)}`] });
      continue;
    }
    if (existing.source !== SYNC_SOURCE) {
      skipped++;
      problem(`'${wanted.userName}': a '${existing.source}' user (id ${existing.id}) has this login; left alone`);
      continue;
    }
    const { update, changes } = updateFor(existing, wanted);
    if (changes.length === 0) unchanged++;
    else actions.push({ kind: 'update', login: existing.login, userId: existing.id, update, changes });
  }
  const gone = [...local.values()].filter((user) => user.source === SYNC_SOURCE && user.enabled && !remote.has(user.login.toLowerCase()));
  if (remote.size === 0 && gone.length > 0) {
    // An empty list is far more often a broken server than a company without staff.
    problem(`the list has no usable users: refusing to disable all ${gone.length} synchronised users; disable them by hand if that is really wanted`);
  } else {
    const at = (options.now ?? (() => new Date()))().toISOString();
    for (const user of gone) {
      actions.push({ kind: 'disable', login: user.login, userId: user.id, update: { enabled: false, attributes: { [DISABLED_BY_SYNC]: at } }, changes: ['enabled: true → false (no longer in the list)'] });
    }
  }

  // 4. The writes (or, for a dry run, the plan).
  const counts = { create: 0, update: 0, disable: 0 };
  let failed = 0;
  if (!dryRun) {
    let done = 0;
    let next = 0;
    progress({ phase: 'applying', done: 0, total: actions.length });
    const worker = async () => {
      while (next < actions.length) {
        signal?.throwIfAborted();
        const action = actions[next++]!;
        try {
          if (action.kind === 'create') await users.create(contextId, action.input);
          else await users.update(contextId, action.userId, action.update);
          counts[action.kind]++;
        } catch (error) {
          failed++;
          if (!isKeelError(error)) logger.error({ err: error, login: action.login }, `sync of context ${contextId}: ${action.kind} failed`);
          problem(`'${action.login}': ${action.kind} failed: ${(error as Error).message}`);
        }
        done++;
        if (done % 100 === 0 || done === actions.length) progress({ phase: 'applying', done, total: actions.length });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  } else {
    for (const action of actions) counts[action.kind]++;
  }
  progress({ phase: 'done', done: actions.length, total: actions.length });

  const summary: SyncSummary = {
    contextId,
    dryRun,
    listed,
    created: counts.create,
    updated: counts.update,
    disabled: counts.disable,
    unchanged,
    skipped,
    failed,
    durationMs: Math.round(performance.now() - started),
    problems,
    problemCount,
  };
  if (dryRun) {
    summary.plan = actions.map((action) => ({
      action: action.kind,
      login: action.login,
      ...(action.kind === 'create' ? {} : { userId: action.userId }),
      changes: action.changes,
    }));
  }
  return summary;
}
