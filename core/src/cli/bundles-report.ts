import { formatTable, type BundleInfo } from '@keel/plugin-sdk';
import { createKernel } from '../kernel/kernel.js';
import { createLogger } from '../logging/index.js';
import type { CliPaths } from './paths.js';

/** `keel bundles`: discovery and resolution without starting anything, with the same environment as `keel start`. */
export async function bundlesReport(paths: CliPaths): Promise<BundleInfo[]> {
  const kernel = await createKernel({
    root: paths.root, configDir: paths.configDir, dataDir: paths.dataDir, env: paths.env, http: false,
    logger: createLogger({ level: 'silent' }),
  });
  return kernel.plan();
}

export function formatBundles(bundles: readonly BundleInfo[]): string {
  const rows = bundles.map((b) => [b.name, b.version, b.status, b.state, b.error ? `${b.error.code}: ${b.error.message}` : '']);
  return formatTable(['Bundle', 'Version', 'Status', 'State', 'Error'], rows);
}
