import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { keelError } from '../errors.js';
import { readYamlFile, type YamlFile } from './yaml-file.js';

/** The `*.yml`/`*.yaml` files of a config subdirectory, sorted by name; none when it does not exist. */
export function readYamlDirectory(directory: string): YamlFile[] {
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => name.endsWith('.yml') || name.endsWith('.yaml'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => readYamlFile(join(directory, name)))
    .filter((file): file is YamlFile => file !== undefined);
}

/** The top-level mapping of a file (empty file: no entries); anything else is a KEEL-CONFIG-YAML. */
export function topLevelEntries(file: YamlFile, what: string): Pair<unknown, unknown>[] {
  const contents = file.document.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return [];
  if (!isMap(contents)) fail(file, contents, `the top level must be a mapping of ${what}`);
  return (contents as YAMLMap<unknown, unknown>).items;
}

/** A scalar as config text (`true`, `30000`), a sequence of scalars comma-joined, null as undefined. */
export function configText(file: YamlFile, node: unknown, what: string): string | undefined {
  if (node === null || node === undefined) return undefined;
  if (isScalar(node)) return node.value === null || node.value === undefined ? undefined : String(node.value);
  if (isSeq(node)) return node.items.map((item) => configText(file, item, what) ?? '').join(',');
  return fail(file, node, `${what} must be a single value or a list of values`);
}

export function keyText(pair: Pair<unknown, unknown>): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

export function fail(file: YamlFile, node: unknown, detail: string): never {
  const range = (node as Node | null | undefined)?.range;
  throw keelError('KEEL-CONFIG-YAML', { file: file.display, line: file.lineOf(range?.[0]), detail });
}
