// The com.openexchange.pns.transport.webhooks.* server properties.
import type { ConfigService } from '@keel/plugin-sdk';

export const WEBHOOK_PROPERTY = {
  enabled: 'com.openexchange.pns.transport.webhooks.enabled',
  enabledIds: 'com.openexchange.webhooks.enabledIds',
  httpsOnly: 'com.openexchange.pns.transport.webhooks.httpsOnly',
  allowLocalWebhooks: 'com.openexchange.pns.transport.webhooks.allowLocalWebhooks',
  allowTrustAll: 'com.openexchange.pns.transport.webhooks.allowTrustAll',
  connectTimeout: 'com.openexchange.pns.transport.webhooks.connectTimeout',
  readTimeout: 'com.openexchange.pns.transport.webhooks.readTimeout',
  maxConnections: 'com.openexchange.pns.transport.webhooks.maxConnections',
  maxConnectionsPerHost: 'com.openexchange.pns.transport.webhooks.maxConnectionsPerHost',
  maxRedirects: 'com.openexchange.pns.transport.webhooks.maxRedirects',
  maxRetries: 'com.openexchange.pns.transport.webhooks.maxRetries',
  retryBaseDelay: 'com.openexchange.pns.transport.webhooks.retryBaseDelay',
  retryMaxDelay: 'com.openexchange.pns.transport.webhooks.retryMaxDelay',
  userAgent: 'com.openexchange.pns.transport.webhooks.userAgent',
} as const;

export interface TransportSettings {
  /** Only `https:` webhook URIs. */
  httpsOnly: boolean;
  /** Allow loopback, private, link-local and unique-local targets (test setups only). */
  allowLocalWebhooks: boolean;
  /** Skip TLS certificate checks (test setups only). */
  allowTrustAll: boolean;
  connectTimeoutMs: number;
  /** Longest silence while waiting for the answer. */
  readTimeoutMs: number;
  maxConnections: number;
  maxConnectionsPerHost: number;
  /** 307/308 redirects followed, each target checked like the first. */
  maxRedirects: number;
  /** Retries after timeouts, network errors and 5xx answers (0 = none). */
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  userAgent: string;
}

export function readTransportSettings(config: ConfigService): TransportSettings {
  const atLeast = (name: string, fallback: number, min: number): number => {
    const value = config.getNumber(name, fallback);
    if (value < min) throw new Error(`Property ${name}=${value}${config.sourceOf(name) ? ` (${config.sourceOf(name)})` : ''} must be at least ${min}`);
    return value;
  };
  return {
    httpsOnly: config.getBoolean(WEBHOOK_PROPERTY.httpsOnly, true),
    allowLocalWebhooks: config.getBoolean(WEBHOOK_PROPERTY.allowLocalWebhooks, false),
    allowTrustAll: config.getBoolean(WEBHOOK_PROPERTY.allowTrustAll, false),
    connectTimeoutMs: atLeast(WEBHOOK_PROPERTY.connectTimeout, 5000, 1),
    readTimeoutMs: atLeast(WEBHOOK_PROPERTY.readTimeout, 10_000, 1),
    maxConnections: atLeast(WEBHOOK_PROPERTY.maxConnections, 100, 1),
    maxConnectionsPerHost: atLeast(WEBHOOK_PROPERTY.maxConnectionsPerHost, 20, 1),
    maxRedirects: atLeast(WEBHOOK_PROPERTY.maxRedirects, 3, 0),
    maxRetries: atLeast(WEBHOOK_PROPERTY.maxRetries, 3, 0),
    retryBaseDelayMs: atLeast(WEBHOOK_PROPERTY.retryBaseDelay, 500, 0),
    retryMaxDelayMs: atLeast(WEBHOOK_PROPERTY.retryMaxDelay, 10_000, 0),
    userAgent: config.getString(WEBHOOK_PROPERTY.userAgent, 'Open-Xchange Webhook Client'),
  };
}
