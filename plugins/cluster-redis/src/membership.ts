import type { Redis } from 'ioredis';
import type { ClusterMember, ClusterMembership, ClusterService, Logger } from '@keel/plugin-sdk';
import type { Channels } from './channels.js';
import type { ClusterKeys } from './keys.js';
import { Listeners } from './listeners.js';

export interface MembershipOptions {
  redis: Redis;
  channels: Channels;
  keys: ClusterKeys;
  nodeId: string;
  memberTtlMs: number;
  permanentPush: boolean;
  connected: () => boolean;
  logger: Logger;
  now?: () => number;
}

export interface RedisMembership {
  readonly cluster: Omit<ClusterService, 'broadcast' | 'onBroadcast'>;
  /** The push framework's view: members able to run permanent listeners. */
  readonly membership: ClusterMembership;
  /** Announces this node (heartbeat key, index, `join` message) and reads the members. */
  start(): Promise<void>;
  /** One heartbeat and one refresh; runs every `heartbeatMs`. */
  tick(): Promise<void>;
  /**
   * Redis came back or lost its data: announce again at once and, for one member TTL, keep the
   * members known before that have not re-announced yet, so a re-forming cluster does not flap.
   */
  rejoin(): Promise<void>;
  /** Withdraws this node (key, index entry, `leave` message). */
  stop(): Promise<void>;
}

type Announcement = { type: 'join' | 'leave'; id: string };

function parseMember(value: string | null): ClusterMember | undefined {
  if (value === null) return undefined;
  try {
    const parsed = JSON.parse(value) as Partial<ClusterMember>;
    if (typeof parsed.id !== 'string') return undefined;
    return { id: parsed.id, permanentPush: parsed.permanentPush === true, joinedAt: Number(parsed.joinedAt) || 0 };
  } catch {
    return undefined;
  }
}

const fingerprint = (members: readonly ClusterMember[]) => members.map((m) => `${m.id}:${m.permanentPush ? 1 : 0}`).join(',');

/**
 * Membership on Redis: each node keeps a key `member:<id>` alive with a heartbeat (expiry
 * `memberTtlMs`) and an entry in the sorted set `members` (score = last heartbeat) so the members
 * are found without SCAN. Every node re-reads them each heartbeat and at once on a `join`/`leave`
 * message. A member counts while its key lives and its subscriber connection listens on its
 * `alive:<id>` channel: a killed process is gone at the next refresh (Redis drops its connection),
 * a hung one when its key expires. Order: sorted ids, the same everywhere.
 */
export function createMembership(options: MembershipOptions): RedisMembership {
  const { redis, keys, nodeId, memberTtlMs, logger } = options;
  const now = options.now ?? Date.now;
  const self: ClusterMember = { id: nodeId, permanentPush: options.permanentPush, joinedAt: now() };
  const selfJson = JSON.stringify(self);
  let members: readonly ClusterMember[] = [self];
  let capable: readonly string[] = self.permanentPush ? [self.id] : [];
  let graceUntil = 0;
  let stopped = false;
  const changed = new Listeners(logger, 'cluster membership');
  const capableChanged = new Listeners(logger, 'cluster membership');

  async function announce(): Promise<void> {
    await redis.publish(keys.membershipChannel, JSON.stringify({ type: 'join', id: nodeId } satisfies Announcement));
  }

  /** Writes the heartbeat; true when the key had been gone (expired in a stall, or Redis lost it). */
  async function heartbeat(): Promise<boolean> {
    const results = await redis.multi()
      .set(keys.member(nodeId), selfJson, 'PX', memberTtlMs, 'GET')
      .zadd(keys.members, now(), nodeId)
      .exec();
    const [error, previous] = results?.[0] ?? [null, null];
    if (error) throw error;
    return previous === null;
  }

  function publish(next: ClusterMember[]): void {
    next.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const before = fingerprint(members);
    members = next;
    if (fingerprint(next) === before) return;
    const nextCapable = next.filter((m) => m.permanentPush).map((m) => m.id);
    const capableMoved = nextCapable.join(',') !== capable.join(',');
    capable = nextCapable;
    logger.info({ members: next.map((m) => m.id), permanentPush: nextCapable }, 'cluster membership changed');
    changed.fire();
    if (capableMoved) capableChanged.fire();
  }

  /** How many connections listen on each member's alive channel (0 once its process is gone). */
  async function aliveSubscribers(ids: readonly string[]): Promise<Map<string, number>> {
    const reply = (await redis.pubsub('NUMSUB', ...ids.map((id) => keys.aliveChannel(id)))) as Array<string | number>;
    const counts = new Map<string, number>();
    ids.forEach((id, i) => counts.set(id, Number(reply[2 * i + 1] ?? 0)));
    return counts;
  }

  async function refreshOnce(): Promise<void> {
    const ids = await redis.zrange(keys.members, 0, -1);
    const [values, subscribers] = ids.length === 0 ? [[], new Map<string, number>()] : await Promise.all([
      redis.mget(ids.map((id) => keys.member(id))),
      aliveSubscribers(ids),
    ]);
    const live = new Map<string, ClusterMember>();
    const dead: string[] = [];
    ids.forEach((id, i) => {
      const member = parseMember(values[i] ?? null);
      if (member === undefined || member.id !== id) dead.push(id);
      // The key outlives a killed process by up to a TTL; its subscription does not.
      else if ((subscribers.get(id) ?? 0) > 0) live.set(id, member);
    });
    // Our own entry counts even between a lost key and the next heartbeat.
    if (!stopped) live.set(nodeId, self);
    if (now() < graceUntil) for (const member of members) if (!live.has(member.id)) live.set(member.id, member);
    // Index entries whose key expired; a live node that lost its key adds itself back with its next heartbeat.
    if (dead.length > 0) await redis.zrem(keys.members, ...dead.filter((id) => id !== nodeId));
    publish([...live.values()]);
  }

  // Single flight: a refresh asked for while one runs makes exactly one more run afterwards.
  let running: Promise<void> | undefined;
  let again = false;
  function refresh(): Promise<void> {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await refreshOnce();
        } while (again && !stopped);
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  const cluster: RedisMembership['cluster'] = {
    selfId: nodeId,
    members: () => members,
    connected: options.connected,
    onChange: (listener) => changed.add(listener),
  };
  const membership: ClusterMembership = {
    selfId: nodeId,
    members: () => capable,
    onChange: (listener) => capableChanged.add(listener),
  };

  return {
    cluster,
    membership,
    async start() {
      await options.channels.subscribe(keys.aliveChannel(nodeId), () => undefined);
      await options.channels.subscribe(keys.membershipChannel, (message) => {
        const announcement = JSON.parse(message) as Announcement;
        if (announcement.id === nodeId || stopped) return;
        logger.debug({ member: announcement.id, type: announcement.type }, 'cluster announcement');
        refresh().catch((error: unknown) => logger.debug({ err: { message: (error as Error).message } }, 'membership refresh failed'));
      });
      await heartbeat();
      await announce();
      await refresh();
    },
    async tick() {
      if (stopped) return;
      if (await heartbeat()) {
        logger.info({ node: nodeId }, 'this node was missing from the cluster; announcing it again');
        await announce();
      }
      await refresh();
    },
    async rejoin() {
      if (stopped) return;
      graceUntil = now() + memberTtlMs;
      await heartbeat();
      await announce();
      await refresh();
    },
    async stop() {
      stopped = true;
      changed.clear();
      capableChanged.clear();
      await redis.multi().del(keys.member(nodeId)).zrem(keys.members, nodeId).exec();
      await redis.publish(keys.membershipChannel, JSON.stringify({ type: 'leave', id: nodeId } satisfies Announcement));
    },
  };
}
