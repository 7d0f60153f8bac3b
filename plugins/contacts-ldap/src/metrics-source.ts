// contacts-ldap's figures for the metrics bundle: the pooled LDAP connections. auth-ldap reports its
// per-login connections in the same family with `bundle="auth-ldap"`.
import { metricFamily, type MetricsSource } from '@keel/plugin-sdk';

export function createContactsLdapMetricsSource(openConnections: () => number): MetricsSource {
  return {
    name: 'contacts-ldap',
    collect: () => [
      metricFamily({ name: 'keel_ldap_connections', help: 'LDAP connections held by a bundle (open or pooled).', type: 'gauge', labelNames: ['bundle'] }, { 'contacts-ldap': openConnections() }),
    ],
  };
}
