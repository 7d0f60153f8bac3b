import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, ResultCodeError, type ClientOptions } from 'ldapts';
import type { LdapSettings } from './ldap-settings.js';

/** No LDAP server could serve the request (refused, timed out, TLS failed, busy, service account refused). */
export class LdapUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LdapUnavailableError';
  }
}

// busy, unavailable: the server says "not now", so the next server is asked
const UNAVAILABLE_CODES = new Set([51, 52]);

/** True for errors that say nothing about the user: network, timeout, TLS, busy servers. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof LdapUnavailableError) return true;
  if (error instanceof ResultCodeError) return UNAVAILABLE_CODES.has(error.code);
  return true;
}

/** A short, password-free description of an LDAP error for logs and reasons. */
export function describeLdapError(error: unknown): string {
  if (error instanceof ResultCodeError) return `LDAP result ${error.code} (${error.message.split('\n', 1)[0]})`;
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message.split('\n', 1)[0]! : String(error);
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}

export interface LdapConnector {
  /**
   * Runs `work` on a fresh connection (StartTLS done when configured) and closes it afterwards. When a
   * server is unavailable the next URL is tried; the server that answered is tried first next time.
   * Throws LdapUnavailableError naming every server's problem when none could serve.
   */
  withConnection<T>(work: (client: Client) => Promise<T>): Promise<T>;
}

/** Told when a client is created and when it is unbound (once each), for the metrics gauge. */
export interface ConnectionEvents {
  opened(): void;
  closed(): void;
}

export function createLdapConnector(settings: LdapSettings, events?: ConnectionEvents): LdapConnector {
  let preferred = 0;

  async function close(client: Client): Promise<void> {
    try {
      await client.unbind();
    } catch {
      // the connection is gone either way
    } finally {
      events?.closed();
    }
  }

  function clientOptions(url: string): ClientOptions {
    const options: ClientOptions = { url, connectTimeout: settings.connectTimeoutMs, timeout: settings.operationTimeoutMs };
    // ldapts switches to TLS whenever tlsOptions are present, so plain ldap:// URLs (StartTLS or not) get none here.
    if (url.toLowerCase().startsWith('ldaps:')) options.tlsOptions = tlsOptions(url);
    return options;
  }

  function tlsOptions(url: string): ConnectionOptions {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return {
      host,
      // SNI takes host names only
      ...(isIP(host) === 0 ? { servername: host } : {}),
      rejectUnauthorized: settings.tls.rejectUnauthorized,
      ...(settings.tls.ca !== undefined ? { ca: settings.tls.ca } : {}),
    };
  }

  async function open(url: string): Promise<Client> {
    const client = new Client(clientOptions(url));
    events?.opened();
    if (settings.tls.startTls) {
      try {
        await client.startTLS(tlsOptions(url));
      } catch (error) {
        await close(client);
        // Never fall back to plain text: the next step would send a password.
        throw new LdapUnavailableError(`StartTLS failed: ${describeLdapError(error)}`, { cause: error });
      }
    }
    return client;
  }

  return {
    async withConnection(work) {
      const problems: string[] = [];
      for (let attempt = 0; attempt < settings.urls.length; attempt++) {
        const index = (preferred + attempt) % settings.urls.length;
        const url = settings.urls[index]!;
        let client: Client | undefined;
        try {
          client = await open(url);
          const result = await work(client);
          preferred = index;
          return result;
        } catch (error) {
          if (!isUnavailable(error)) {
            preferred = index;
            throw error;
          }
          problems.push(`${url}: ${describeLdapError(error)}`);
        } finally {
          if (client !== undefined) await close(client);
        }
      }
      throw new LdapUnavailableError(problems.join('; '));
    },
  };
}
