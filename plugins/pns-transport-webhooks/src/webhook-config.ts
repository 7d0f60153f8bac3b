// webhooks.yml: the known webhook receivers, keyed by webhook id.
import type { Logger } from '@keel/plugin-sdk';

export type UriValidationMode = 'none' | 'prefix' | 'exact';

export interface WebhookConfig {
  id: string;
  /** The configured end-point; the subscription's token when it is empty. */
  uri?: URL;
  uriValidationMode: UriValidationMode;
  /** Sent verbatim as `Authorization`. */
  webhookSecret?: string;
  /** HTTP Basic credentials, when no webhookSecret is set. */
  login?: string;
  password?: string;
  /** HMAC key of the `X-OX-Signature` header; no header without it. */
  signatureSecret?: string;
  version: number;
  signatureHeaderName: string;
  /** Longest lifetime of a subscription; undefined = forever. */
  maxTimeToLiveMillis?: number;
  /** Subscriptions per user; undefined = no limit. */
  maxNumberOfSubscriptionsPerUser?: number;
  allowSharedUri: boolean;
  /** Also send `webhook-id`, `webhook-timestamp`, `webhook-signature` (standardwebhooks.com). */
  standardWebhooks: boolean;
  /** HMAC key of `webhook-signature`: `whsec_<base64>` or plain text; defaults to signatureSecret. */
  standardWebhooksSecret?: Buffer;
}

const KNOWN_FIELDS = new Set([
  'uri', 'uriValidationMode', 'webhookSecret', 'login', 'password', 'signatureSecret', 'version', 'signatureHeaderName',
  'maxTimeToLiveMillis', 'maxNumberOfSubscriptionsPerUser', 'allowSharedUri', 'standardWebhooks', 'standardWebhooksSecret',
]);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses the file's content; broken entries are logged (without their secrets) and left out. */
export function parseWebhooks(content: unknown, logger: Logger): Map<string, WebhookConfig> {
  const webhooks = new Map<string, WebhookConfig>();
  if (content === undefined || content === null) return webhooks;
  if (typeof content !== 'object' || Array.isArray(content)) {
    logger.error('webhooks.yml must map webhook ids to their settings; no webhook is configured');
    return webhooks;
  }
  for (const [id, entry] of Object.entries(content as Record<string, unknown>)) {
    try {
      webhooks.set(id, parseWebhook(id, entry));
    } catch (error) {
      logger.error({ webhook: id }, `webhooks.yml: webhook '${id}' left out: ${(error as Error).message}`);
    }
  }
  return webhooks;
}

function parseWebhook(id: string, entry: unknown): WebhookConfig {
  if (id.trim() === '' || id.includes('--') || !/^[\x21-\x7e]{1,64}$/.test(id)) {
    throw new Error('the id must be 1 to 64 printable characters without spaces and must not contain "--"');
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error('its settings must be a mapping');
  const fields = entry as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (!KNOWN_FIELDS.has(key)) throw new Error(`unknown field '${key}' (known: ${[...KNOWN_FIELDS].join(', ')})`);

  const text = (name: string): string | undefined => {
    const value = fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`'${name}' must be a string`);
    return String(value);
  };
  const positive = (name: string): number | undefined => {
    const value = fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`'${name}' must be an integer`);
    return value > 0 ? value : undefined;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const value = fields[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new Error(`'${name}' must be true or false`);
  };

  const mode = text('uriValidationMode') ?? 'prefix';
  if (mode !== 'none' && mode !== 'prefix' && mode !== 'exact') throw new Error(`'uriValidationMode' must be none, prefix or exact, not '${mode}'`);
  const rawUri = text('uri');
  let uri: URL | undefined;
  if (rawUri !== undefined) {
    try {
      uri = new URL(rawUri);
    } catch {
      throw new Error("'uri' is not an absolute URI");
    }
    if (uri.protocol !== 'https:' && uri.protocol !== 'http:') throw new Error("'uri' must be an http or https URI");
  } else if (mode !== 'none') {
    throw new Error(`'uri' is required with uriValidationMode ${mode}`);
  }
  const version = fields.version === undefined ? 1 : fields.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) throw new Error("'version' must be a positive integer");
  const signatureHeaderName = text('signatureHeaderName') ?? 'X-OX-Signature';
  if (!HEADER_NAME.test(signatureHeaderName)) throw new Error("'signatureHeaderName' is not a valid header name");

  const webhookSecret = text('webhookSecret');
  const login = text('login');
  const password = text('password');
  const signatureSecret = text('signatureSecret');
  const standardWebhooks = flag('standardWebhooks', false);
  const standardSecret = text('standardWebhooksSecret');
  let standardWebhooksSecret: Buffer | undefined;
  if (standardSecret !== undefined) {
    standardWebhooksSecret = standardSecret.startsWith('whsec_') ? Buffer.from(standardSecret.slice(6), 'base64') : Buffer.from(standardSecret, 'utf8');
    if (standardWebhooksSecret.length === 0) throw new Error("'standardWebhooksSecret' is empty");
  } else if (signatureSecret !== undefined) {
    standardWebhooksSecret = Buffer.from(signatureSecret, 'utf8');
  }
  if (standardWebhooks && standardWebhooksSecret === undefined) throw new Error("'standardWebhooks' needs 'standardWebhooksSecret' or 'signatureSecret'");
  if ((login === undefined) !== (password === undefined) && webhookSecret === undefined) throw new Error("'login' and 'password' go together");

  const config: WebhookConfig = {
    id,
    uriValidationMode: mode,
    version,
    signatureHeaderName,
    allowSharedUri: flag('allowSharedUri', true),
    standardWebhooks,
  };
  if (uri !== undefined) config.uri = uri;
  if (webhookSecret !== undefined) config.webhookSecret = webhookSecret;
  if (login !== undefined) config.login = login;
  if (password !== undefined) config.password = password;
  if (signatureSecret !== undefined) config.signatureSecret = signatureSecret;
  const ttl = positive('maxTimeToLiveMillis');
  if (ttl !== undefined) config.maxTimeToLiveMillis = ttl;
  const max = positive('maxNumberOfSubscriptionsPerUser');
  if (max !== undefined) config.maxNumberOfSubscriptionsPerUser = max;
  if (standardWebhooksSecret !== undefined) config.standardWebhooksSecret = standardWebhooksSecret;
  return config;
}
