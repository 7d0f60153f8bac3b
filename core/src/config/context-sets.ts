import { join } from 'node:path';
import { isMap, type YAMLMap } from 'yaml';
import { keelError } from '../errors.js';
import { parseTagExpression, type TagPredicate } from './tag-expression.js';
import { configText, fail, keyText, readYamlDirectory, topLevelEntries } from './yaml-directory.js';

export interface ContextSet {
  name: string;
  /** Display path of the file that defines it. */
  file: string;
  matches: TagPredicate;
  properties: ReadonlyMap<string, string>;
}

/** A context-set value together with the set that gave it. */
export interface ContextSetValue {
  value: string;
  set: ContextSet;
}

/**
 * Reads `<configdir>/contextSets/*.yml`: entries `<name>: { withTags: "a & (b | !c)", <property>: <value> … }`.
 * Returned sorted by set name, the order that decides between matching sets (see {@link mergeMatchingSets}).
 * A set name defined twice, a missing or invalid `withTags` is an error naming file and line.
 */
export function loadContextSets(configDirectory: string): ContextSet[] {
  const sets = new Map<string, ContextSet>();
  for (const file of readYamlDirectory(join(configDirectory, 'contextSets'))) {
    for (const pair of topLevelEntries(file, 'context sets')) {
      const name = keyText(pair);
      const body = pair.value;
      if (!isMap(body)) fail(file, body ?? pair.key, `context set '${name}' must be a mapping with withTags and properties`);
      const previous = sets.get(name);
      if (previous !== undefined) fail(file, pair.key, `context set '${name}' is already defined in ${previous.file}`);
      let expression: string | undefined;
      const properties = new Map<string, string>();
      for (const item of (body as YAMLMap<unknown, unknown>).items) {
        const property = keyText(item);
        const value = configText(file, item.value, `property '${property}' of context set '${name}'`);
        if (property === 'withTags') expression = value;
        else if (value !== undefined) properties.set(property, value);
      }
      if (expression === undefined) fail(file, pair.key, `context set '${name}' has no withTags expression`);
      let matches: TagPredicate;
      try {
        matches = parseTagExpression(expression);
      } catch (error) {
        throw keelError('KEEL-CONFIG-TAG-EXPRESSION', { set: name, file: file.display, expression, detail: (error as Error).message });
      }
      sets.set(name, { name, file: file.display, matches, properties });
    }
  }
  return [...sets.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The context-set scope for one context: every set whose expression matches its tags, merged.
 * When several matching sets give a property different values, the set whose name sorts first
 * (plain code-unit order) wins, so the outcome never depends on file or load order.
 */
export function mergeMatchingSets(sets: readonly ContextSet[], tags: ReadonlySet<string>): Map<string, ContextSetValue> {
  const merged = new Map<string, ContextSetValue>();
  for (const set of sets) {
    if (!set.matches(tags)) continue;
    for (const [property, value] of set.properties) {
      if (!merged.has(property)) merged.set(property, { value, set });
    }
  }
  return merged;
}
