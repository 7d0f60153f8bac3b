// auth-ldap's figures for the metrics bundle: the LDAP connections open for logins right now
// (each login opens one, binds and closes it). contacts-ldap reports its pool in the same family.
import { metricFamily, type MetricsSource } from '@keel/plugin-sdk';
import type { ConnectionEvents } from './ldap-connector.js';

export interface LdapConnectionGauge extends ConnectionEvents {
  readonly open: number;
}

/** Kept by the bundle, not the connector: a reload replaces the connector while its connections may still be open. */
export function createLdapConnectionGauge(): LdapConnectionGauge {
  let open = 0;
  return {
    opened: () => void open++,
    closed: () => void open--,
    get open() {
      return open;
    },
  };
}

export function createAuthLdapMetricsSource(gauge: LdapConnectionGauge): MetricsSource {
  return {
    name: 'auth-ldap',
    collect: () => [
      metricFamily({ name: 'keel_ldap_connections', help: 'LDAP connections held by a bundle (open or pooled).', type: 'gauge', labelNames: ['bundle'] }, { 'auth-ldap': gauge.open }),
    ],
  };
}
