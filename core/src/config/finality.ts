import { join } from 'node:path';
import { isMap, type YAMLMap } from 'yaml';
import type { CascadeScope } from '@keel/plugin-sdk';
import { configText, fail, keyText, readYamlDirectory, topLevelEntries } from './yaml-directory.js';

export type FinalScope = Exclude<CascadeScope, 'user'>;
const FINAL_SCOPES: ReadonlySet<string> = new Set<FinalScope>(['server', 'contextSets', 'context']);

/**
 * Reads `<configdir>/meta/*.yml`: `<property>: { final: server | contextSets | context }`. Other keys
 * of an entry (operators' meta files carry more, e.g. `protected`) are ignored; a later file wins for
 * the same property. An unknown scope is an error naming file and line.
 */
export function loadFinality(configDirectory: string): Map<string, FinalScope> {
  const finality = new Map<string, FinalScope>();
  for (const file of readYamlDirectory(join(configDirectory, 'meta'))) {
    for (const pair of topLevelEntries(file, 'properties')) {
      if (!isMap(pair.value)) continue;
      const property = keyText(pair);
      for (const item of (pair.value as YAMLMap<unknown, unknown>).items) {
        if (keyText(item) !== 'final') continue;
        const scope = configText(file, item.value, `final of '${property}'`);
        if (scope === undefined || !FINAL_SCOPES.has(scope)) {
          fail(file, item.value ?? item.key, `final of '${property}' must be server, contextSets or context, not '${scope ?? ''}'`);
        }
        finality.set(property, scope as FinalScope);
      }
    }
  }
  return finality;
}
