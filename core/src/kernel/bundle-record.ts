import type { BundleInfo, BundleState, DefinedBundle, KeelError } from '@keel/plugin-sdk';
import type { BundleDescriptor } from './manifest.js';
import type { RunningBundle } from './bundle-runtime.js';

/** Everything the kernel tracks about one bundle. */
export interface BundleRecord {
  name: string;
  version: string;
  packageName: string;
  directory: string;
  descriptor?: BundleDescriptor;
  status: 'enabled' | 'disabled';
  state: BundleState;
  definition?: DefinedBundle;
  error?: KeelError;
  dependencies: { required: Set<string>; optional: Set<string> };
  /** Why a RESOLVED bundle is not running: decides whether it comes back by itself. */
  parked?: 'manual' | 'dependency' | 'failed';
  running?: RunningBundle;
}

export function recordInfo(record: BundleRecord): BundleInfo {
  const def = record.definition;
  return {
    name: record.name,
    version: record.version,
    packageName: record.packageName,
    directory: record.directory,
    status: record.status,
    state: record.state,
    provides: (def?.provides ?? []).map((ref) => `${ref.id}@${ref.version}`),
    requires: Object.values(def?.requires ?? {}).map((ref) => `${ref.id}@^${ref.version}`),
    optional: Object.values(def?.optional ?? {}).map((ref) => `${ref.id}@^${ref.version}`),
    ...(record.error ? { error: { code: record.error.code, message: record.error.message } } : {}),
  };
}
