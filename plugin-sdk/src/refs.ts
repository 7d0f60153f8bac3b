import { createServiceRef } from './service-ref.js';
import type { ConfigScopeProvider } from './contracts/cascade.js';

/** Supplies the user and context scopes of the config cascade (storage-sql registers one). */
export const configScopeProviderRef = createServiceRef<ConfigScopeProvider>({ id: 'config.scope-provider', version: '1.0.0', multiple: true });
