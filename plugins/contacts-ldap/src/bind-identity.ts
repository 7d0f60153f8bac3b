// Which identity a request binds as, from the connection's bind mode and the caller.
import type { ContactCaller, UserService } from '@keel/plugin-sdk';
import { Filter } from 'ldapts';
import type { BindConfig, ConnectionConfig } from './config/client-config.js';
import { escapeDnValue } from './dn-escape.js';
import { passwordUnavailable, searchFailed, userDnNotFound } from './errors.js';
import { ldapResultCode, type BindIdentity, type LdapPool } from './ldap-pool.js';
import { fillTemplate, loginValues, templateNeedsMail, type LoginValues } from './login-values.js';

export interface IdentityResolver {
  identityFor(caller: ContactCaller): Promise<BindIdentity>;
}

/** Whether a connection binds as the logged-in user (and so needs sessions to keep passwords). */
export function bindsAsUser(bind: BindConfig): boolean {
  return bind.mode === 'userdn' || bind.mode === 'userdnresolved';
}

export function createIdentityResolver(pool: LdapPool, users: () => UserService | undefined): IdentityResolver {
  const config: ConnectionConfig = pool.config;
  const bind = config.bind;
  /** userdnresolved: login → DN, so the search runs once per user and TTL, not per request. */
  const resolved = new Map<string, { dn: string; expires: number }>();

  async function values(caller: ContactCaller, template: string): Promise<LoginValues> {
    const mail = templateNeedsMail(template) ? (await users()?.get(caller.contextId, caller.userId))?.email : undefined;
    return loginValues(caller, mail);
  }

  function password(caller: ContactCaller): string {
    // An empty password would make an "unauthenticated bind", which servers answer as anonymous.
    if (caller.password === undefined || caller.password === '') throw passwordUnavailable(config.name);
    return caller.password;
  }

  async function resolveDn(caller: ContactCaller): Promise<string> {
    if (bind.mode !== 'userdnresolved') throw new Error('resolveDn needs bind mode userdnresolved');
    const key = `${caller.contextId}:${caller.userId}:${caller.loginName ?? ''}`;
    const cached = resolved.get(key);
    if (cached && cached.expires > Date.now()) return cached.dn;
    const filter = fillTemplate(bind.filter, await values(caller, bind.filter), (value) => Filter.escape(value));
    if (filter === undefined) throw userDnNotFound(config.name, 0);
    const searcher: BindIdentity = bind.credentials ? { kind: 'simple', ...bind.credentials, service: true } : { kind: 'anonymous' };
    const { searchEntries } = await pool.run(searcher, (client) => client.search(bind.base, { scope: bind.scope, filter, attributes: ['1.1'], sizeLimit: 2 }))
      .catch((error: unknown) => {
        // sizeLimit 2 exceeded means "more than one": ambiguous, like two entries found.
        const code = ldapResultCode(error);
        if (code === 4) throw userDnNotFound(config.name, 2);
        if (code !== undefined) throw searchFailed(config.name, (error as Error).message);
        throw error;
      });
    if (searchEntries.length !== 1) throw userDnNotFound(config.name, searchEntries.length);
    const dn = searchEntries[0]!.dn;
    resolved.set(key, { dn, expires: Date.now() + bind.cacheTtlMs });
    return dn;
  }

  return {
    async identityFor(caller) {
      switch (bind.mode) {
        case 'anonymous':
          return { kind: 'anonymous' };
        case 'admindn':
          return { kind: 'simple', ...bind.credentials, service: true };
        case 'userdn': {
          const secret = password(caller);
          const dn = fillTemplate(bind.template, await values(caller, bind.template), escapeDnValue);
          if (dn === undefined) throw userDnNotFound(config.name, 0);
          return { kind: 'simple', dn, password: secret, service: false };
        }
        case 'userdnresolved': {
          const secret = password(caller);
          return { kind: 'simple', dn: await resolveDn(caller), password: secret, service: false };
        }
      }
    },
  };
}
