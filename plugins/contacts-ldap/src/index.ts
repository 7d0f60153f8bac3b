// contacts-ldap: read-only contact folders from LDAP, registered above contacts-sql (ranking 100)
// so the folders it serves — the global address book, if configured with id "6" — come from LDAP
// for every user whose cascade enables a provider (com.openexchange.contacts.ldap.accounts).
import { contactStorageRef, defineBundle, metricsSourceRef, sessionServiceRef, userServiceRef, type ContactCaller } from '@keel/plugin-sdk';
import { ACCOUNTS_PROPERTY, createLdapContactStorage } from './ldap-contact-storage.js';
import { createContactsLdapMetricsSource } from './metrics-source.js';
import { loadProviders, type ProviderSet } from './providers.js';

export const LDAP_STORAGE_RANKING = 100;

export default defineBundle({
  provides: [contactStorageRef, metricsSourceRef],
  optional: { sessions: sessionServiceRef, users: userServiceRef },
  start({ services, register, config, cascade, logger }) {
    const users = () => services.users.get();
    // A broken file fails the start with CLDAP-0010 naming the file and the key.
    let current: ProviderSet = loadProviders(config, users);

    // User binds need the login password: ask sessions to keep it while this bundle runs.
    const releases = new Map<number, () => void>();
    const retain = () => {
      for (const entry of services.sessions.entries()) {
        if (current.needsPasswords && !releases.has(entry.serviceId)) releases.set(entry.serviceId, entry.service.retainPasswords('contacts-ldap'));
        if (!current.needsPasswords) releases.get(entry.serviceId)?.();
        if (!current.needsPasswords) releases.delete(entry.serviceId);
      }
    };
    const unsubscribe = services.sessions.subscribe((event) => {
      if (event.type === 'removed') {
        releases.get(event.entry.serviceId)?.();
        releases.delete(event.entry.serviceId);
      } else {
        retain();
      }
    });

    const enabledIds = async (caller: ContactCaller) => (await cascade.view({ contextId: caller.contextId, userId: caller.userId })).getList(ACCOUNTS_PROPERTY, []);
    const storage = createLdapContactStorage({ providers: () => current.providers, enabledIds, logger });
    register(contactStorageRef, storage, { ranking: config.getNumber('keel.contacts.ldap.ranking', LDAP_STORAGE_RANKING), properties: { storage: 'ldap' } });
    // The current set only: a reload closes the previous set's pools.
    register(metricsSourceRef, createContactsLdapMetricsSource(() => current.openConnections()));
    logger.info({ providers: current.providers.map((p) => p.config.id) }, `LDAP contact providers ready`);

    const stopReload = config.onReload(async () => {
      let next: ProviderSet;
      try {
        next = loadProviders(config, users);
      } catch (error) {
        logger.error({ err: { message: (error as Error).message } }, 'contacts-ldap keeps its previous configuration: the new one is invalid');
        return;
      }
      const previous = current;
      current = next;
      retain();
      await previous.close();
    });

    return async () => {
      stopReload();
      unsubscribe();
      for (const release of releases.values()) release();
      releases.clear();
      await current.close();
    };
  },
});
