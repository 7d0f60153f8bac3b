// Builds the providers from the three option files; each connection gets one pool.
import type { ConfigService, UserService } from '@keel/plugin-sdk';
import { bindsAsUser, createIdentityResolver } from './bind-identity.js';
import { readClientConfig } from './config/client-config.js';
import { MAPPINGS_FILE, readMappings } from './config/mapping-config.js';
import { PROVIDERS_FILE, readProviders } from './config/provider-config.js';
import { createProviderFolders } from './ldap-folders.js';
import type { Provider } from './ldap-contact-storage.js';
import { createLdapPool, type LdapPool } from './ldap-pool.js';

export interface ProviderSet {
  providers: readonly Provider[];
  /** True when some used connection binds as the user: sessions must keep login passwords. */
  needsPasswords: boolean;
  /** ldapts clients held by all of this set's pools. */
  openConnections(): number;
  close(): Promise<void>;
}

/** Reads and checks every file first (throwing CLDAP-0010 naming file and key), then opens pools. */
export function loadProviders(config: ConfigService, users: () => UserService | undefined): ProviderSet {
  const connections = readClientConfig(config);
  const mappings = readMappings(config.yaml(MAPPINGS_FILE));
  const configs = readProviders(config.yaml(PROVIDERS_FILE), connections, mappings);
  const pools = new Map<string, LdapPool>();
  const providers = configs.map((provider): Provider => {
    let pool = pools.get(provider.connection.name);
    if (!pool) pools.set(provider.connection.name, (pool = createLdapPool(provider.connection)));
    return { config: provider, pool, identities: createIdentityResolver(pool, users), folders: createProviderFolders(provider) };
  });
  return {
    providers,
    needsPasswords: configs.some((provider) => bindsAsUser(provider.connection.bind)),
    openConnections: () => [...pools.values()].reduce((open, pool) => open + pool.openConnections(), 0),
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}
