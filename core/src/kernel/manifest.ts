import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { keelError } from '../errors.js';

/** The `keel` block of a bundle's package.json. */
export interface BundleManifest {
  bundle: string;
  aliases?: string[];
  activator: string;
  defaultStatus?: 'enabled' | 'disabled';
  /** Module default-exporting `defineCommands([...])`: commands this bundle adds to the `keel` CLI. */
  cli?: string;
}

/** Allow-list derived from the manifest type, so the compiler keeps it honest. */
const MANIFEST_KEYS: { [K in keyof Required<BundleManifest>]: true } = {
  bundle: true,
  aliases: true,
  activator: true,
  defaultStatus: true,
  cli: true,
};

const NAME_PATTERN = /^[a-z][a-z0-9-]*$/;

/** A bundle package found on disk, validated but not imported. */
export interface BundleDescriptor {
  name: string;
  aliases: string[];
  version: string;
  packageName: string;
  directory: string;
  packageJsonPath: string;
  activatorPath: string;
  cliPath?: string;
  defaultStatus: 'enabled' | 'disabled';
  /** `peerDependencies["@keel/plugin-sdk"]`, the SDK range the bundle was built for. */
  sdkRange: string;
}

/**
 * Reads and validates a package directory. Returns undefined when the package has no `keel` block
 * (an ordinary npm package), a descriptor when it is a valid bundle, and throws KEEL-BUNDLE-MANIFEST
 * naming the file and the problem otherwise.
 */
export async function readBundleManifest(directory: string): Promise<BundleDescriptor | undefined> {
  const packageJsonPath = join(directory, 'package.json');
  let text: string;
  try {
    text = await readFile(packageJsonPath, 'utf8');
  } catch (error) {
    throw keelError('KEEL-BUNDLE-MANIFEST', { file: packageJsonPath, detail: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
  }
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw keelError('KEEL-BUNDLE-MANIFEST', { file: packageJsonPath, detail: `not valid JSON (${(error as Error).message})` });
  }
  if (typeof pkg !== 'object' || pkg === null || pkg.keel === undefined) return undefined;
  return validateManifest(pkg, directory, packageJsonPath);
}

export function validateManifest(pkg: Record<string, unknown>, directory: string, packageJsonPath: string): BundleDescriptor {
  const fail = (detail: string) => keelError('KEEL-BUNDLE-MANIFEST', { file: packageJsonPath, detail });
  const keel = pkg.keel;
  if (typeof keel !== 'object' || keel === null || Array.isArray(keel)) throw fail('"keel" must be an object');
  const manifest = keel as Record<string, unknown>;
  const unknown = Object.keys(manifest).filter((key) => !(key in MANIFEST_KEYS));
  if (unknown.length > 0) {
    throw fail(`unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"keel.${k}"`).join(', ')}; allowed: ${Object.keys(MANIFEST_KEYS).join(', ')}`);
  }
  const { bundle, aliases, activator, defaultStatus, cli } = manifest;
  if (typeof bundle !== 'string' || !NAME_PATTERN.test(bundle)) throw fail('"keel.bundle" must be a lower-case name such as "push-dovecot"');
  if (aliases !== undefined && (!Array.isArray(aliases) || !aliases.every((a) => typeof a === 'string' && a.length > 0))) {
    throw fail('"keel.aliases" must be an array of names');
  }
  if (typeof activator !== 'string' || activator.length === 0) throw fail('"keel.activator" must be the path of the module that default-exports defineBundle(...)');
  if (defaultStatus !== undefined && defaultStatus !== 'enabled' && defaultStatus !== 'disabled') throw fail('"keel.defaultStatus" must be "enabled" or "disabled"');
  if (cli !== undefined && (typeof cli !== 'string' || cli.length === 0)) throw fail('"keel.cli" must be a module path');
  if (typeof pkg.name !== 'string') throw fail('"name" is missing');
  if (typeof pkg.version !== 'string') throw fail('"version" is missing');
  const peers = pkg.peerDependencies as Record<string, unknown> | undefined;
  const sdkRange = peers?.['@keel/plugin-sdk'];
  if (typeof sdkRange !== 'string') throw fail('"peerDependencies" must name "@keel/plugin-sdk" with the SDK range the bundle was built for');
  return {
    name: bundle,
    aliases: (aliases as string[] | undefined) ?? [],
    version: pkg.version,
    packageName: pkg.name,
    directory,
    packageJsonPath,
    activatorPath: resolve(directory, activator),
    ...(typeof cli === 'string' ? { cliPath: resolve(directory, cli) } : {}),
    defaultStatus: defaultStatus ?? 'enabled',
    sdkRange,
  };
}
