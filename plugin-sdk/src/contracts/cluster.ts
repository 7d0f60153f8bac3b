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
}

export const clusterServiceRef = createServiceRef<ClusterService>({ id: 'cluster.service', version: '1.0.0' });
