import { keelError } from '../errors.js';
import type { BundleDescriptor } from './manifest.js';

export type PackageStatus = 'enabled' | 'disabled';

export interface StatusDecision {
  status: Map<string, PackageStatus>;
  /** Names in packages.yml that match no discovered bundle or alias. */
  unknownNames: string[];
}

/**
 * Applies `packages.yml` (`packages: status: { <bundle or alias>: enabled | disabled }`) to the
 * discovered bundles. Unlisted bundles use their manifest's defaultStatus. When a bundle is listed
 * under its name and an alias, the name wins.
 */
export function decidePackageStatus(bundles: readonly BundleDescriptor[], document: unknown, file: string): StatusDecision {
  const listed = readStatusTable(document, file);
  const status = new Map<string, PackageStatus>();
  const used = new Set<string>();
  for (const bundle of bundles) {
    let decided: PackageStatus | undefined;
    if (listed.has(bundle.name)) {
      decided = listed.get(bundle.name);
      used.add(bundle.name);
    } else {
      for (const alias of bundle.aliases) {
        if (listed.has(alias)) {
          decided = listed.get(alias);
          used.add(alias);
          break;
        }
      }
    }
    status.set(bundle.name, decided ?? bundle.defaultStatus);
  }
  const unknownNames = [...listed.keys()].filter((name) => !used.has(name) && !bundles.some((b) => b.aliases.includes(name)));
  return { status, unknownNames };
}

function readStatusTable(document: unknown, file: string): Map<string, PackageStatus> {
  const table = new Map<string, PackageStatus>();
  if (document === undefined || document === null) return table;
  const fail = (detail: string) => keelError('KEEL-PACKAGES-CONFIG', { file, detail });
  if (typeof document !== 'object' || Array.isArray(document)) throw fail('the top level must be a mapping with the key "packages"');
  const packages = (document as Record<string, unknown>).packages;
  if (packages === undefined || packages === null) return table;
  if (typeof packages !== 'object' || Array.isArray(packages)) throw fail('"packages" must be a mapping with the key "status"');
  const statusBlock = (packages as Record<string, unknown>).status;
  if (statusBlock === undefined || statusBlock === null) return table;
  if (typeof statusBlock !== 'object' || Array.isArray(statusBlock)) throw fail('"packages.status" must map bundle names to enabled or disabled');
  for (const [name, value] of Object.entries(statusBlock as Record<string, unknown>)) {
    const normalized = typeof value === 'boolean' ? (value ? 'enabled' : 'disabled') : String(value).trim().toLowerCase();
    if (normalized !== 'enabled' && normalized !== 'disabled') {
      throw fail(`"packages.status.${name}" is "${String(value)}"; use enabled or disabled`);
    }
    table.set(name, normalized);
  }
  return table;
}
