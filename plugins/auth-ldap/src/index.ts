import { authenticatorRef, contextServiceRef, defineBundle, metricsSourceRef, userServiceRef, type ConfigService, type Logger } from '@keel/plugin-sdk';
import { AUTHENTICATOR_NAME, createLdapAuthenticator } from './ldap-authenticator.js';
import { createLdapConnector, type ConnectionEvents } from './ldap-connector.js';
import { createLdapDirectory, type LdapDirectory } from './ldap-directory.js';
import { readLdapSettings, type LdapSettings } from './ldap-settings.js';
import { createAuthLdapMetricsSource, createLdapConnectionGauge } from './metrics-source.js';
import { createOutageLog } from './outage-log.js';

export default defineBundle({
  provides: [authenticatorRef, metricsSourceRef],
  requires: { contexts: contextServiceRef, users: userServiceRef },
  start({ services, config, logger, register }) {
    const connections = createLdapConnectionGauge();
    // Invalid settings (missing URL, unreadable CA file …) fail the start with AUTHLDAP-0001.
    let current = load(config, logger, connections);
    const stopReload = config.onReload(() => {
      try {
        current = load(config, logger, connections);
      } catch (error) {
        logger.error({ err: { message: (error as Error).message } }, 'LDAP authentication settings are invalid; keeping the previous ones');
      }
    });

    // Ranking 100: asked before the database authenticator (ranking 0).
    register(
      authenticatorRef,
      createLdapAuthenticator({ current: () => current, contexts: services.contexts, users: services.users, logger, outage: createOutageLog(logger) }),
      { ranking: 100, properties: { name: AUTHENTICATOR_NAME } },
    );
    register(metricsSourceRef, createAuthLdapMetricsSource(connections));
    return stopReload;
  },
});

function load(config: ConfigService, logger: Logger, connections: ConnectionEvents): { settings: LdapSettings; directory: LdapDirectory } {
  const settings = readLdapSettings(config);
  const cleartext = settings.urls.filter((url) => url.toLowerCase().startsWith('ldap:') && !settings.tls.startTls && !isLoopback(url));
  if (cleartext.length > 0) logger.warn({ urls: cleartext }, 'LDAP passwords travel unencrypted to these servers: use ldaps:// or keel.auth.ldap.startTls=true');
  logger.info({ urls: settings.urls, mode: settings.mode, startTls: settings.tls.startTls }, 'LDAP authentication configured');
  return { settings, directory: createLdapDirectory(settings, createLdapConnector(settings, connections)) };
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
