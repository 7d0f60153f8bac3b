import type { BundleInfo, DefinedBundle, KernelControl, ServiceRef } from '../index.js';

export interface TestKernelOptions {
  /** The bundles under test, as `defineBundle` results, keyed by bundle name. */
  bundles: Record<string, DefinedBundle<any, any>>;
  /** Stand-in services the kernel provides itself: `[ref, implementation]` pairs. */
  services?: Array<readonly [ServiceRef<any>, unknown]>;
  /** Properties for the server config scope (written to a temp config directory). */
  properties?: Record<string, string>;
  /** YAML option files for the temp config directory: file name → content. */
  files?: Record<string, string>;
  /** Start an HTTP server on 127.0.0.1 with a free port (default true). */
  http?: boolean;
  /** Per-bundle start timeout (default 5000 ms). */
  startTimeoutMs?: number;
}

export interface TestKernel {
  /** `http://127.0.0.1:<port>` when HTTP is on. */
  readonly url: string;
  readonly kernel: KernelControl;
  /** A registered service, by ref (highest ranking). */
  get<T>(ref: ServiceRef<T>): T | undefined;
  getAll<T>(ref: ServiceRef<T>): T[];
  bundle(name: string): BundleInfo | undefined;
  /** Temp directories, removed by stop(). */
  readonly configDir: string;
  readonly dataDir: string;
  /** Stops every bundle and removes the temp directories. */
  stop(): Promise<void>;
}

interface CoreTestApi {
  startTestKernel(options: TestKernelOptions): Promise<TestKernel>;
}

/**
 * Boots the real Keel kernel with the given bundles and stand-in services, in temp directories, so a
 * bundle author tests against the kernel itself rather than a hand-made fake. Needs `@keel/core`
 * installed next to the SDK (a devDependency of the bundle).
 */
export async function startTestKernel(options: TestKernelOptions): Promise<TestKernel> {
  const specifier = '@keel/core';
  let core: CoreTestApi;
  try {
    core = (await import(specifier)) as CoreTestApi;
  } catch (error) {
    throw new Error(`startTestKernel needs @keel/core: add it as a devDependency of your bundle (${(error as Error).message})`);
  }
  return core.startTestKernel(options);
}

export type { BundleInfo };
export { loadBundle, loadBundles } from './load-bundle.js';
export { MemorySubscriptionStore } from './memory-subscription-store.js';
export { readMetrics } from './read-metrics.js';
export type { MetricsReading } from './read-metrics.js';
export { recordingTransport } from './recording-transport.js';
