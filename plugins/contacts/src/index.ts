// contacts: the HTTP module over every registered contact storage, and the vCard export.
import { contactStorageRef, defineBundle, sessionServiceRef } from '@keel/plugin-sdk';
import { createContactRouter } from './contact-router.js';
import { registerContactsModule } from './contacts-module.js';
import { registerExportModule } from './export-module.js';

export { createContactRouter, type ContactRouter, type FolderListing, type RoutedFolder } from './contact-router.js';

export default defineBundle({
  provides: [],
  // A multiple ref injects a live tracker: storages (contacts-ldap …) may come and go at runtime.
  requires: { storages: contactStorageRef, sessions: sessionServiceRef },
  start({ services, http, logger }) {
    const router = createContactRouter(services.storages, logger);
    const sessions = () => services.sessions;
    registerContactsModule({ http, router, sessions, logger });
    registerExportModule({ http, router, sessions, logger });
  },
});
