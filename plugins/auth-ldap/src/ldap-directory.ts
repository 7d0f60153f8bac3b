import { ResultCodeError, type Client, type Entry } from 'ldapts';
import { isUnavailable, LdapUnavailableError, describeLdapError, type LdapConnector } from './ldap-connector.js';
import { fillDnTemplate, fillFilterTemplate, type TemplateValues } from './ldap-escape.js';
import type { LdapSettings } from './ldap-settings.js';

/** An LDAP entry with attribute names in lower case (servers answer in whatever case they like). */
export interface LdapEntry {
  dn: string;
  attributes: Map<string, string[]>;
}

/** What the directory says about a login and password. */
export type LdapVerdict =
  | { outcome: 'bound'; entry: LdapEntry }
  | { outcome: 'wrong-password'; dn: string }
  | { outcome: 'no-entry' }
  | { outcome: 'ambiguous'; count: number }
  /** The server refused the user's bind for another reason (account locked, unwilling to perform …). */
  | { outcome: 'refused'; dn: string; reason: string };

const INVALID_CREDENTIALS = 49;
const NO_SUCH_OBJECT = 32;
const INVALID_DN_SYNTAX = 34;

export interface LdapDirectory {
  /** Never call with an empty password: servers treat that as an anonymous bind and answer "success". */
  verify(values: TemplateValues, password: string): Promise<LdapVerdict>;
}

export function createLdapDirectory(settings: LdapSettings, connector: LdapConnector): LdapDirectory {
  const attributes = [...new Set([settings.attributes.login, settings.attributes.mail, ...settings.attributes.displayName, ...settings.attributes.aliases])];

  /** Binds as the service account, when there is one; its refusal makes LDAP unusable, not the user wrong. */
  async function bindService(client: Client): Promise<void> {
    if (settings.bindDn === undefined) return;
    try {
      await client.bind(settings.bindDn, settings.bindPassword);
    } catch (error) {
      if (isUnavailable(error)) throw error;
      throw new LdapUnavailableError(`the service account ${settings.bindDn} cannot bind: ${describeLdapError(error)}`, { cause: error });
    }
  }

  /** The user's own bind: undefined when it succeeded, else the verdict it implies. */
  async function bindUser(client: Client, dn: string, password: string): Promise<LdapVerdict | 'invalid-credentials' | undefined> {
    if (password === '') throw new Error('refusing an LDAP bind with an empty password');
    try {
      await client.bind(dn, password);
      return undefined;
    } catch (error) {
      if (isUnavailable(error)) throw error;
      if (error instanceof ResultCodeError && error.code === INVALID_CREDENTIALS) return 'invalid-credentials';
      if (error instanceof ResultCodeError && (error.code === NO_SUCH_OBJECT || error.code === INVALID_DN_SYNTAX)) return { outcome: 'no-entry' };
      return { outcome: 'refused', dn, reason: describeLdapError(error) };
    }
  }

  async function readEntry(client: Client, dn: string): Promise<LdapEntry | undefined> {
    try {
      const { searchEntries } = await client.search(dn, { scope: 'base', attributes, sizeLimit: 1 });
      return searchEntries[0] === undefined ? undefined : normalize(searchEntries[0]);
    } catch (error) {
      if (error instanceof ResultCodeError && (error.code === NO_SUCH_OBJECT || error.code === INVALID_DN_SYNTAX)) return undefined;
      throw error;
    }
  }

  async function searchThenBind(values: TemplateValues, password: string): Promise<LdapVerdict> {
    return connector.withConnection(async (client) => {
      await bindService(client);
      const { searchEntries } = await client.search(settings.search.baseDn, {
        scope: settings.search.scope,
        filter: fillFilterTemplate(settings.search.filter, values),
        attributes,
        // two are enough to tell "exactly one" from "ambiguous"
        sizeLimit: 2,
      });
      if (searchEntries.length === 0) return { outcome: 'no-entry' };
      if (searchEntries.length > 1) return { outcome: 'ambiguous', count: searchEntries.length };
      const entry = normalize(searchEntries[0]!);
      // Rebinding the same connection as the user: the entry was read with the service account's rights.
      const refused = await bindUser(client, entry.dn, password);
      if (refused === 'invalid-credentials') return { outcome: 'wrong-password', dn: entry.dn };
      return refused ?? { outcome: 'bound', entry };
    });
  }

  async function templateBind(values: TemplateValues, password: string): Promise<LdapVerdict> {
    const dn = fillDnTemplate(settings.userDnTemplate!, values);
    return connector.withConnection(async (client) => {
      const refused = await bindUser(client, dn, password);
      if (refused === 'invalid-credentials') {
        // Servers answer 49 for unknown DNs too; only an existing entry makes it a wrong password.
        // A failed bind leaves the connection anonymous, so the check runs as the service account when there is one.
        await bindService(client);
        return (await readEntry(client, dn)) === undefined ? { outcome: 'no-entry' } : { outcome: 'wrong-password', dn };
      }
      if (refused !== undefined) return refused;
      let entry = await readEntry(client, dn);
      if (entry === undefined && settings.bindDn !== undefined) {
        // the user may not read their own entry; the service account may
        await bindService(client);
        entry = await readEntry(client, dn);
      }
      return { outcome: 'bound', entry: entry ?? { dn, attributes: new Map() } };
    });
  }

  return {
    verify: (values, password) => (settings.mode === 'search' ? searchThenBind(values, password) : templateBind(values, password)),
  };
}

function normalize(entry: Entry): LdapEntry {
  const attributes = new Map<string, string[]>();
  for (const [name, raw] of Object.entries(entry)) {
    if (name === 'dn') continue;
    const values = (Array.isArray(raw) ? raw : [raw]).map((value) => (Buffer.isBuffer(value) ? value.toString('utf8') : String(value)));
    attributes.set(name.toLowerCase(), [...(attributes.get(name.toLowerCase()) ?? []), ...values]);
  }
  return { dn: entry.dn, attributes };
}
