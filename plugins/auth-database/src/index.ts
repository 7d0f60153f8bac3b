import { authenticatorRef, contextServiceRef, defineBundle, userServiceRef } from '@keel/plugin-sdk';
import { AUTHENTICATOR_NAME, createDatabaseAuthenticator } from './database-authenticator.js';

export default defineBundle({
  provides: [authenticatorRef],
  requires: { contexts: contextServiceRef, users: userServiceRef },
  start({ services, register }) {
    // Ranking 0: directory-backed authenticators such as LDAP register above it and are asked first.
    register(authenticatorRef, createDatabaseAuthenticator({ contexts: services.contexts, users: services.users }), {
      ranking: 0,
      properties: { name: AUTHENTICATOR_NAME },
    });
  },
});
