// The shapes of the `/admin/v1` answers the console reads (see the admin README). The admin routes
// import the ones they define from here, so server and console cannot drift apart; the SDK's own
// types are not imported because the browser build has no Node types.

export type BundleState = 'INSTALLED' | 'RESOLVED' | 'STARTING' | 'ACTIVE' | 'STOPPING' | 'UNINSTALLED';

export interface BundleInfo {
  name: string;
  version: string;
  status: 'enabled' | 'disabled';
  state: BundleState;
  provides: string[];
  requires: string[];
  optional: string[];
  error?: { code: string; message: string };
}

export interface GraphNode {
  name: string;
  version: string;
  state: BundleState;
  status: 'enabled' | 'disabled';
  errorCode?: string;
  /** Dependency depth: 0 consumes nothing, otherwise one more than its deepest provider. */
  layer: number;
  /** Position within the layer, chosen to keep edges short and crossings few. */
  order: number;
}

/** Consumer → provider, one edge per pair whatever the number of services between them. */
export interface GraphEdge {
  from: string;
  to: string;
  services: string[];
  /** Only optional references: the consumer runs without the provider. */
  optional: boolean;
}

export interface BundleGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  layers: number;
}

export interface ServiceInfo {
  id: string;
  version: string;
  bundle: string;
  ranking: number;
  serviceId: number;
  properties: Record<string, unknown>;
}

export interface MetricSample {
  labels?: Record<string, string>;
  value: number | null;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  labelNames?: string[];
  samples: MetricSample[];
}

export interface SourceSnapshot {
  name: string;
  bundle: string;
  serviceId: number;
  families?: MetricFamily[];
  error?: string;
}

export interface MetricsSnapshot {
  collectedAt: string;
  sources: SourceSnapshot[];
}

export type CascadeScope = 'user' | 'context' | 'contextSets' | 'server';

export interface CascadeValue {
  scope: CascadeScope;
  value: string;
  source?: string;
}

export interface ExplainAnswer {
  property: string;
  contextId: number;
  userId?: number;
  /** The value lookups get, after finality. */
  winner?: CascadeValue;
  /** Every scope that has a value, most specific first. */
  values: CascadeValue[];
  finalAt?: CascadeScope;
  /** True when the values were replaced because the property name looks like a secret. */
  redacted: boolean;
}

export interface PushUser {
  contextId: number;
  userId: number;
}

export interface RunningPushListener extends PushUser {
  manager: string;
  permanent: boolean;
  client: string;
}

export interface PushRegistration extends PushUser {
  client: string;
}
