// A provider's folders in its folder mode, and folder ids ⇄ the search each folder runs.
import type { ContactFolder } from '@keel/plugin-sdk';
import type { Filter } from 'ldapts';
import type { SearchScope } from './config/client-config.js';
import type { ProviderConfig, SearchSpec } from './config/provider-config.js';
import { and, configFilter, equals } from './filters.js';

export interface FolderSearch {
  base: string;
  scope: SearchScope;
  filter: Filter;
}

export interface LdapFolder {
  folder: ContactFolder;
  search: FolderSearch;
}

/** Attribute-valued folders: `ldap.<provider>.<base64url(value)>`, so any value makes a safe, reversible id. */
export function attributeFolderId(providerId: string, value: string): string {
  return `ldap.${providerId}.${Buffer.from(value, 'utf8').toString('base64url')}`;
}

function valueOfFolderId(providerId: string, folderId: string): string | undefined {
  const prefix = `ldap.${providerId}.`;
  if (!folderId.startsWith(prefix)) return undefined;
  const encoded = folderId.slice(prefix.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
  const value = Buffer.from(encoded, 'base64url').toString('utf8');
  return attributeFolderId(providerId, value) === folderId ? value : undefined;
}

function publicFolder(id: string, name: string): ContactFolder {
  return { id, name, type: 'public', readOnly: true };
}

export interface ProviderFolders {
  /** Folders that need no directory lookup (static and fixedAttributes), or undefined for dynamicAttributes. */
  known(): LdapFolder[] | undefined;
  /** The folder for an id, without any directory lookup; undefined when it is not this provider's. */
  resolve(folderId: string): LdapFolder | undefined;
  /** dynamicAttributes: the attribute whose values become folders, and where to look for them. */
  readonly discovery?: { attribute: string; search: FolderSearch; refreshIntervalMs: number };
  /** Folders for discovered attribute values. */
  fromValues(values: readonly string[]): LdapFolder[];
}

export function createProviderFolders(provider: ProviderConfig): ProviderFolders {
  const spec = provider.folders;
  const searchOf = (search: SearchSpec, extra?: Filter): FolderSearch => ({
    base: search.base,
    scope: search.scope,
    filter: extra ? and(configFilter(search.filter), extra) : configFilter(search.filter),
  });
  const attributeFolder = (attribute: string, search: SearchSpec, value: string): LdapFolder => ({
    folder: publicFolder(attributeFolderId(provider.id, value), value),
    search: searchOf(search, equals(attribute, value)),
  });

  switch (spec.mode) {
    case 'static': {
      const folders = spec.folders.map((folder) => ({ folder: publicFolder(folder.id, folder.name), search: searchOf(folder) }));
      return {
        known: () => folders,
        resolve: (folderId) => folders.find((candidate) => candidate.folder.id === folderId),
        fromValues: () => [],
      };
    }
    case 'fixedAttributes': {
      const folders = spec.values.map((value) => attributeFolder(spec.attribute, spec.search, value));
      return {
        known: () => folders,
        resolve: (folderId) => folders.find((candidate) => candidate.folder.id === folderId),
        fromValues: () => [],
      };
    }
    case 'dynamicAttributes':
      return {
        known: () => undefined,
        // Any value decodes to a folder: an unknown value simply finds no entries.
        resolve(folderId) {
          const value = valueOfFolderId(provider.id, folderId);
          return value === undefined ? undefined : attributeFolder(spec.attribute, spec.search, value);
        },
        discovery: { attribute: spec.attribute, search: searchOf(spec.search), refreshIntervalMs: spec.refreshIntervalMs },
        fromValues: (values) => values.map((value) => attributeFolder(spec.attribute, spec.search, value)),
      };
  }
}
