// The LDAP ContactStorage: read-only folders from the providers enabled for the caller.
import {
  compareContacts, CONTACT_SORT_FIELDS, isKeelError, patternMatchesNothing,
  type Contact, type ContactCaller, type ContactFolder, type ContactListOptions, type ContactPage, type ContactStorage, type Logger,
} from '@keel/plugin-sdk';
import type { Entry, Filter } from 'ldapts';
import type { IdentityResolver } from './bind-identity.js';
import { mappedAttributes, searchAttributes } from './config/mapping-config.js';
import type { ProviderConfig } from './config/provider-config.js';
import { dnInScope } from './dn-escape.js';
import { entryToContact, idToDn } from './entry-mapper.js';
import { folderNotFound, readOnlyFolder, searchFailed, timedOut } from './errors.js';
import { and, equals, patternFilter, present } from './filters.js';
import type { LdapPool } from './ldap-pool.js';
import { ldapResultCode } from './ldap-pool.js';
import type { FolderSearch, LdapFolder, ProviderFolders } from './ldap-folders.js';

/** The cascade property listing the provider ids enabled for a user or context. */
export const ACCOUNTS_PROPERTY = 'com.openexchange.contacts.ldap.accounts';

export const MAX_LIMIT = 1000;

export interface Provider {
  config: ProviderConfig;
  pool: LdapPool;
  identities: IdentityResolver;
  folders: ProviderFolders;
}

export interface LdapStorageOptions {
  /** The current providers (replaced on config reload). */
  providers: () => readonly Provider[];
  /** Provider ids enabled for the caller (the cascade). */
  enabledIds: (caller: ContactCaller) => Promise<readonly string[]>;
  logger: Logger;
}

/** Rejects with CLDAP-0003 when `work` takes longer than the connection's request timeout. */
async function withDeadline<T>(provider: Provider, work: Promise<T>): Promise<T> {
  const ms = provider.config.connection.timeouts.requestMs;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut(provider.config.connection.name, 'answer the request', ms)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Directory trouble as KeelErrors; ours (timeouts, binds, unreachable) pass through. */
function asKeelError(provider: Provider, error: unknown): unknown {
  if (isKeelError(error)) return error;
  const code = ldapResultCode(error);
  return searchFailed(provider.config.connection.name, code !== undefined ? (error as Error).message : String((error as Error)?.message ?? error));
}

export function createLdapContactStorage({ providers, enabledIds, logger }: LdapStorageOptions): ContactStorage {
  /**
   * dynamicAttributes folder values, re-read after refreshInterval: per provider, and per user when
   * the connection binds as the user (what a user may see is the directory's decision, so one user's
   * list must never be shown to another).
   */
  const discovered = new Map<string, { values: string[]; expires: number }>();
  const discoveryKey = (provider: Provider, caller: ContactCaller): string => {
    const mode = provider.config.connection.bind.mode;
    return mode === 'userdn' || mode === 'userdnresolved' ? `${provider.config.id}|${caller.contextId}:${caller.userId}` : provider.config.id;
  };

  async function enabled(caller: ContactCaller): Promise<Provider[]> {
    const ids = await enabledIds(caller);
    return providers().filter((provider) => ids.includes(provider.config.id));
  }

  async function locate(caller: ContactCaller, folderId: string): Promise<{ provider: Provider; folder: LdapFolder } | undefined> {
    for (const provider of await enabled(caller)) {
      const folder = provider.folders.resolve(folderId);
      if (folder) return { provider, folder };
    }
    return undefined;
  }

  async function require(caller: ContactCaller, folderId: string): Promise<{ provider: Provider; folder: LdapFolder }> {
    const found = await locate(caller, folderId);
    if (!found) throw folderNotFound(folderId);
    return found;
  }

  /**
   * Reads the entries of a search with RFC 2696 paged results, `maxPageSize` per page, stopping at
   * `limit` entries. The whole request runs under the connection's request timeout.
   */
  async function readEntries(
    provider: Provider, caller: ContactCaller, search: FolderSearch, attributes: string[], limit: number, missingBaseIsEmpty = false,
  ): Promise<{ entries: Entry[]; truncated: boolean }> {
    const { config, pool, identities } = provider;
    const work = (async () => {
      const identity = await identities.identityFor(caller);
      return pool.run(identity, async (client) => {
        const entries: Entry[] = [];
        let truncated = false;
        const pages = client.searchPaginated(search.base, { scope: search.scope, filter: search.filter, attributes, paged: { pageSize: config.maxPageSize } });
        for await (const page of pages) {
          entries.push(...page.searchEntries);
          if (entries.length >= limit) {
            truncated = true;
            break;
          }
        }
        return { entries: entries.slice(0, limit), truncated };
      });
    })();
    try {
      return await withDeadline(provider, work);
    } catch (error) {
      // 32 noSuchObject: reading one entry by DN that is gone is an unknown contact, not a failure.
      if (missingBaseIsEmpty && ldapResultCode(error) === 32) return { entries: [], truncated: false };
      throw asKeelError(provider, error);
    }
  }

  async function contactsOf(provider: Provider, caller: ContactCaller, folder: LdapFolder, extra?: Filter): Promise<{ contacts: Contact[]; truncated: boolean }> {
    const search = extra ? { ...folder.search, filter: and(folder.search.filter, extra) } : folder.search;
    const { entries, truncated } = await readEntries(provider, caller, search, mappedAttributes(provider.config.mapping), provider.config.sizeLimit);
    const contacts = entries.map((entry) => entryToContact(entry, provider.config.mapping, folder.folder.id)).filter((c): c is Contact => c !== undefined);
    return { contacts, truncated };
  }

  /** No server-side sort is assumed (RFC 2891 is optional): sorted here, then the page is cut. */
  function page(contacts: Contact[], truncated: boolean, options: ContactListOptions): ContactPage {
    contacts.sort(compareContacts(options.sort));
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    const limit = Math.min(MAX_LIMIT, Math.max(0, Math.floor(options.limit ?? MAX_LIMIT)));
    return { contacts: contacts.slice(offset, offset + limit), total: contacts.length, ...(truncated ? { truncated } : {}) };
  }

  async function discover(provider: Provider, caller: ContactCaller): Promise<LdapFolder[]> {
    const discovery = provider.folders.discovery!;
    const key = discoveryKey(provider, caller);
    const cached = discovered.get(key);
    if (cached && cached.expires > Date.now()) return provider.folders.fromValues(cached.values);
    const search = { ...discovery.search, filter: and(discovery.search.filter, present(discovery.attribute)) };
    const { entries } = await readEntries(provider, caller, search, [discovery.attribute], provider.config.sizeLimit);
    const values = new Map<string, string>();
    for (const entry of entries) {
      for (const [name, raw] of Object.entries(entry)) {
        if (name.toLowerCase() !== discovery.attribute.toLowerCase()) continue;
        for (const value of Array.isArray(raw) ? raw : [raw]) {
          const text = String(value).trim();
          if (text !== '' && !values.has(text.toLowerCase())) values.set(text.toLowerCase(), text);
        }
      }
    }
    const sorted = [...values.values()].sort((a, b) => a.localeCompare(b));
    const now = Date.now();
    // Per-user entries pile up: drop the expired ones now and then so memory stays bounded by active users.
    if (discovered.size >= 1000) for (const [other, entry] of discovered) if (entry.expires <= now) discovered.delete(other);
    discovered.set(key, { values: sorted, expires: now + discovery.refreshIntervalMs });
    return provider.folders.fromValues(sorted);
  }

  return {
    name: 'ldap',
    capabilities: { readOnly: true, sortFields: CONTACT_SORT_FIELDS },

    async folders(caller) {
      const result: ContactFolder[] = [];
      const failures: unknown[] = [];
      const active = await enabled(caller);
      for (const provider of active) {
        try {
          const folders = provider.folders.known() ?? (await discover(provider, caller));
          for (const { folder } of folders) if (!result.some((existing) => existing.id === folder.id)) result.push(folder);
        } catch (error) {
          logger.warn({ provider: provider.config.id, err: { message: (error as Error)?.message } }, `LDAP provider ${provider.config.id} could not list its folders`);
          failures.push(error);
        }
      }
      // Only when nothing could be listed is the listing itself an error (the router reports it).
      if (failures.length > 0 && failures.length === active.length) throw failures[0];
      return result;
    },

    async serves(caller, folderId) {
      return (await locate(caller, folderId)) !== undefined;
    },

    async list(caller, folderId, options = {}) {
      const { provider, folder } = await require(caller, folderId);
      const { contacts, truncated } = await contactsOf(provider, caller, folder);
      return page(contacts, truncated, options);
    },

    async search(caller, folderId, search) {
      const { provider, folder } = await require(caller, folderId);
      // The directory's string preparation drops control characters, so `\0` would match everything.
      if (patternMatchesNothing(search.pattern)) return { contacts: [], total: 0 };
      const filter = patternFilter(search.pattern, searchAttributes(provider.config.mapping));
      const { contacts, truncated } = await contactsOf(provider, caller, folder, filter);
      return page(contacts, truncated, search);
    },

    async get(caller, folderId, id) {
      const { provider, folder } = await require(caller, folderId);
      const mapping = provider.config.mapping;
      if (mapping.id === 'dn') {
        const dn = idToDn(id);
        // Only entries inside the folder's own search: an id cannot reach elsewhere in the tree.
        if (dn === undefined || !dnInScope(dn, folder.search.base, folder.search.scope)) return undefined;
        const { entries } = await readEntries(provider, caller, { base: dn, scope: 'base', filter: folder.search.filter }, mappedAttributes(mapping), 1, true);
        return entries[0] ? entryToContact(entries[0], mapping, folderId) : undefined;
      }
      const { contacts } = await contactsOf(provider, caller, folder, equals(mapping.id.attribute, id));
      return contacts.find((contact) => contact.id === id);
    },

    async create(caller, folderId) {
      const { folder } = await require(caller, folderId);
      throw readOnlyFolder(folderId, folder.folder.name);
    },
    async update(caller, folderId) {
      const { folder } = await require(caller, folderId);
      throw readOnlyFolder(folderId, folder.folder.name);
    },
    async delete(caller, folderId) {
      const { folder } = await require(caller, folderId);
      throw readOnlyFolder(folderId, folder.folder.name);
    },
  };
}
