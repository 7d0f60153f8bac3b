// contacts-ldap.yml: the providers — which connection, which mapping, and how entries become folders.
import { FilterParser } from 'ldapts';
import type { ConnectionConfig, SearchScope } from './client-config.js';
import { SCOPES } from './client-config.js';
import type { Mapping } from './mapping-config.js';
import { YamlReader } from './yaml-reader.js';

export const PROVIDERS_FILE = 'contacts-ldap.yml';

export interface SearchSpec {
  base: string;
  scope: SearchScope;
  /** RFC 4515 filter selecting the contacts (from the config, never from users). */
  filter: string;
}

/** One folder per configured search; `id: "6"` overrides the global address book. */
export interface StaticFolderSpec extends SearchSpec {
  id: string;
  name: string;
}

/**
 * Folder modes:
 * - `static`: the folders listed, each its own search;
 * - `fixedAttributes`: one folder per listed value of an attribute (`departmentNumber: Sales`);
 * - `dynamicAttributes`: one folder per value of an attribute found in the directory, re-read every `refreshInterval`.
 */
export type FolderSpec =
  | { mode: 'static'; folders: StaticFolderSpec[] }
  | { mode: 'fixedAttributes'; attribute: string; values: string[]; search: SearchSpec }
  | { mode: 'dynamicAttributes'; attribute: string; search: SearchSpec; refreshIntervalMs: number };

export interface ProviderConfig {
  id: string;
  name: string;
  connection: ConnectionConfig;
  mapping: Mapping;
  /** Entries per page of the RFC 2696 paged search. */
  maxPageSize: number;
  /** Most entries read for one list or search; beyond it results are marked truncated. */
  sizeLimit: number;
  folders: FolderSpec;
}

const PROVIDER_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/i;
const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9-]*$/;

function readSearch(reader: YamlReader, defaults?: Partial<SearchSpec>): SearchSpec {
  const filter = reader.child('filter').string(defaults?.filter ?? '(objectClass=inetOrgPerson)');
  try {
    FilterParser.parseString(filter);
  } catch (error) {
    reader.child('filter').problem(`is not a valid LDAP filter: ${(error as Error).message}`);
  }
  const base = reader.child('base').string(defaults?.base);
  return { base, scope: reader.child('scope').oneOf(SCOPES, defaults?.scope ?? 'sub'), filter };
}

function readFolders(id: string, reader: YamlReader): FolderSpec {
  reader.keys(['mode', 'static', 'fixedAttributes', 'dynamicAttributes']);
  const mode = reader.child('mode').oneOf(['static', 'fixedAttributes', 'dynamicAttributes'] as const);
  switch (mode) {
    case 'static': {
      const folders = reader.child('static').list().map((folder, index) => {
        folder.keys(['id', 'name', 'base', 'scope', 'filter']);
        return { ...readSearch(folder), id: folder.child('id').string(`ldap.${id}.${index}`), name: folder.child('name').string() };
      });
      if (folders.length === 0) reader.child('static').problem('needs at least one folder {name, base, filter, scope}');
      const ids = new Set<string>();
      for (const folder of folders) {
        if (ids.has(folder.id)) reader.child('static').problem(`uses the folder id "${folder.id}" twice`);
        ids.add(folder.id);
      }
      return { mode, folders };
    }
    case 'fixedAttributes': {
      const spec = reader.child('fixedAttributes').keys(['attribute', 'values', 'base', 'scope', 'filter']);
      const attribute = spec.child('attribute').string();
      if (!ATTRIBUTE.test(attribute)) spec.child('attribute').problem(`"${attribute}" is not an attribute name`);
      const values = spec.child('values').stringList();
      if (values.length === 0) spec.child('values').problem('needs at least one value');
      return { mode, attribute, values, search: readSearch(spec) };
    }
    case 'dynamicAttributes': {
      const spec = reader.child('dynamicAttributes').keys(['attribute', 'base', 'scope', 'filter', 'refreshInterval']);
      const attribute = spec.child('attribute').string();
      if (!ATTRIBUTE.test(attribute)) spec.child('attribute').problem(`"${attribute}" is not an attribute name`);
      return { mode, attribute, search: readSearch(spec), refreshIntervalMs: spec.child('refreshInterval').number(300_000, 0) };
    }
  }
}

/** Every provider of contacts-ldap.yml, checked against the connections and mappings it names. */
export function readProviders(yaml: unknown, connections: ReadonlyMap<string, ConnectionConfig>, mappings: ReadonlyMap<string, Mapping>): ProviderConfig[] {
  const root = new YamlReader(PROVIDERS_FILE, '', yaml).keys(['providers']);
  return root.child('providers').entries().map(([id, reader]) => {
    if (!PROVIDER_ID.test(id)) reader.problem('is not a valid provider id (letters, digits, - and _, up to 32)');
    reader.keys(['name', 'connection', 'mappings', 'maxPageSize', 'sizeLimit', 'folders']);
    const connectionName = reader.child('connection').string();
    const connection = connections.get(connectionName) ?? reader.child('connection').problem(`names "${connectionName}", which ldap-client-config.yml does not define`);
    const mappingName = reader.child('mappings').string('default');
    const mapping = mappings.get(mappingName) ?? reader.child('mappings').problem(`names "${mappingName}", which contacts-ldap-mappings.yml does not define`);
    return {
      id,
      name: reader.child('name').string(id),
      connection,
      mapping,
      maxPageSize: reader.child('maxPageSize').number(500, 1, 10_000),
      sizeLimit: reader.child('sizeLimit').number(10_000, 1),
      folders: readFolders(id, reader.child('folders')),
    };
  });
}
