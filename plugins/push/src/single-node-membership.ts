import { hostname } from 'node:os';
import type { ClusterMembership, ConfigService } from '@keel/plugin-sdk';

/** The node's stable id: `keel.node.id`, else the host name. */
export function nodeId(config: ConfigService): string {
  const configured = config.get('keel.node.id');
  return configured !== undefined && configured !== '' ? configured : hostname();
}

/** Without a cluster bundle the installation is this one node: every permanent listener runs here. */
export function createSingleNodeMembership(selfId: string): ClusterMembership {
  return { selfId, members: () => [selfId], onChange: () => () => undefined };
}
