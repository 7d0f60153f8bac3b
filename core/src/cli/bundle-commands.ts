import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { isDefinedCommands, type CommandSpec } from '@keel/plugin-sdk';
import { loadServerConfig } from '../config/index.js';
import { discoverBundles } from '../kernel/discovery.js';
import { decidePackageStatus } from '../kernel/package-status.js';

export interface LoadedCommand extends CommandSpec {
  bundle: string;
}

/**
 * Commands contributed by enabled bundles (`keel.cli` in their package.json). Only the CLI
 * modules are imported, never the activators, and disabled bundles contribute nothing.
 */
export async function loadBundleCommands(paths: { root: string; configDir: string; dataDir: string; env: NodeJS.ProcessEnv }): Promise<{ commands: LoadedCommand[]; problems: string[] }> {
  const config = await loadServerConfig({ directory: paths.configDir, dataDirectory: paths.dataDir, env: paths.env });
  const extraDirs = [...(paths.env.KEEL_BUNDLE_DIRS ?? '').split(':').filter(Boolean), ...config.getList('keel.bundles.dirs')].map((d) => resolve(paths.root, d));
  const { bundles } = await discoverBundles({ root: paths.root, extraDirs });
  const { status } = decidePackageStatus(bundles, config.yaml('packages.yml'), resolve(paths.configDir, 'packages.yml'));
  const commands: LoadedCommand[] = [];
  const problems: string[] = [];
  for (const bundle of bundles) {
    if (!bundle.cliPath || status.get(bundle.name) !== 'enabled') continue;
    try {
      const module = (await import(pathToFileURL(bundle.cliPath).href)) as { default?: unknown };
      if (!isDefinedCommands(module.default)) throw new Error('its default export is not defineCommands([...])');
      for (const command of module.default.commands) commands.push({ ...command, bundle: bundle.name });
    } catch (error) {
      problems.push(`bundle '${bundle.name}' CLI module ${bundle.cliPath}: ${(error as Error).message}`);
    }
  }
  return { commands, problems };
}
