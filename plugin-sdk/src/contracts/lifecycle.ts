/** The states of a bundle, as in OSGi. */
export type BundleState = 'INSTALLED' | 'RESOLVED' | 'STARTING' | 'ACTIVE' | 'STOPPING' | 'UNINSTALLED';

/** What the kernel knows about one bundle, for health, the admin API and the CLI. */
export interface BundleInfo {
  name: string;
  version: string;
  packageName: string;
  directory: string;
  status: 'enabled' | 'disabled';
  state: BundleState;
  provides: string[];
  requires: string[];
  optional: string[];
  error?: { code: string; message: string };
}

/** Read-only view of the running kernel plus the runtime controls the admin bundle uses. */
export interface KernelControl {
  bundles(): BundleInfo[];
  bundle(name: string): BundleInfo | undefined;
  /** Starts a RESOLVED bundle (and, transitively, what it needs). */
  startBundle(name: string): Promise<BundleInfo>;
  /** Stops a bundle and every bundle with a required reference to what it provides. */
  stopBundle(name: string): Promise<BundleInfo>;
  /** Re-reads the properties, YAML files and packages.yml; starts and stops bundles to match. */
  reload(): Promise<{ started: string[]; stopped: string[] }>;
  /** Every registered service: ref id, version, provider bundle, ranking, properties. */
  services(): Array<{ id: string; version: string; bundle: string; ranking: number; serviceId: number; properties: Record<string, unknown> }>;
}

/** Lets a bundle hook into the process lifecycle. */
export interface Lifecycle {
  /** Called once every bundle that could start has started (also after a runtime start of this bundle). */
  onStarted(listener: () => void | Promise<void>): void;
  /** Called when this bundle is about to stop, before the stop function `start()` returned. LIFO. */
  onStop(listener: () => void | Promise<void>): void;
  /** True while the whole process shuts down (SIGTERM), as opposed to a single bundle being stopped. */
  readonly shuttingDown: boolean;
}
