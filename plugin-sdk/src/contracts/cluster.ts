import { createServiceRef } from '../service-ref.js';

/** One live node of the installation, as it announced itself. */
export interface ClusterMember {
  /** Stable node id (`keel.cluster.nodeId`). */
  readonly id: string;
  /** Whether it may run permanent mail push listeners (`com.openexchange.push.allowPermanentPush`). */
  readonly permanentPush: boolean;
  /** When the node (re)joined, in ms since the epoch (its own clock). */
  readonly joinedAt: number;
}

/**
 * The cluster as a whole (cluster-redis): every live member, not only those able to run permanent
 * listeners (that narrower view is {@link ClusterMembership}). Without a cluster bundle there is
 * no provider; a single node is its own cluster.
 */
export interface ClusterService {
  readonly selfId: string;
  /** Live members sorted by id (the same order on every node). */
  members(): readonly ClusterMember[];
  /** Whether the shared store is reachable now; while it is not, members() is the last known view. */
  connected(): boolean;
  /** Called after members() changed (joins, leaves, capability changes); returns an unsubscribe. */
  onChange(listener: () => void): () => void;
  /**
   * Sends a small JSON message to every other live member (fire and forget, at most once: a member
   * that is disconnected at that moment misses it). For hints such as "the push registrations
   * changed, re-plan", never for data that must not be lost.
   */
  broadcast(topic: string, message: unknown): Promise<void>;
  /** Messages other members broadcast on `topic`, with the sender's id; returns an unsubscribe. */
  onBroadcast(topic: string, listener: (message: unknown, from: string) => void): () => void;
}

export const clusterServiceRef = createServiceRef<ClusterService>({ id: 'cluster.service', version: '1.0.0' });
