import type { ConfigService } from '../contracts/config.js';
import type { Logger } from '../contracts/logger.js';
import type { KeelError } from '../errors.js';

/**
 * The per-client YAML option files of vendor push transports (`pns-apns-options.yml`,
 * `pns-gcm-options.yml`, `pns-wns-options.yml`): client ids mapped to their options, each with an
 * optional `enabled` switch. A client that cannot work is reported and left out; the others work.
 */
export interface ParsedClientOptions<T> {
  clients: Map<string, T>;
  /** Clients switched off by `enabled: false`. */
  disabled: string[];
  /** Clients that cannot work, with the reason (`*` when the whole file is malformed). */
  problems: Map<string, KeelError>;
}

/** Typed reads of one client's options; bad values throw the transport's own error. */
export interface ClientOptionReader {
  readonly client: string;
  readonly raw: Readonly<Record<string, unknown>>;
  /** true/false, also as the strings "true"/"false"; `fallback` when absent. */
  flag(name: string, fallback: boolean): boolean;
  /**
   * A text value, undefined when absent or blank; trimmed unless `trim` is false (passwords are
   * kept as given). YAML numbers (an unquoted password `12345678`) count as their text only when
   * that text is exact: a 40-digit unquoted key is refused with a hint to quote it.
   */
  text(name: string, options?: { trim?: boolean }): string | undefined;
}

export function parseClientOptions<T>(raw: unknown, spec: {
  /** Builds one enabled client, throwing the transport's error when it cannot work. */
  parseClient(read: ClientOptionReader): T;
  /** The transport's error for a malformed file. */
  invalidFile(detail: string): KeelError;
  /** The transport's error for one client's malformed options. */
  invalidClient(client: string, detail: string): KeelError;
  /** The option names, for the message when a client's options are not a mapping. */
  optionNames: string;
}): ParsedClientOptions<T> {
  const parsed: ParsedClientOptions<T> = { clients: new Map(), disabled: [], problems: new Map() };
  if (raw === undefined || raw === null) return parsed;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    parsed.problems.set('*', spec.invalidFile('the top level must map client ids to their options'));
    return parsed;
  }
  for (const [client, value] of Object.entries(raw as Record<string, unknown>)) {
    try {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw spec.invalidClient(client, `the options must be a mapping (${spec.optionNames})`);
      }
      const read = clientOptionReader(client, value as Record<string, unknown>, spec.invalidClient);
      if (read.flag('enabled', true)) parsed.clients.set(client, spec.parseClient(read));
      else parsed.disabled.push(client);
    } catch (error) {
      parsed.problems.set(client, error as KeelError);
    }
  }
  return parsed;
}

function clientOptionReader(client: string, raw: Record<string, unknown>, invalid: (client: string, detail: string) => KeelError): ClientOptionReader {
  return {
    client,
    raw,
    flag(name, fallback) {
      const value = raw[name];
      if (value === undefined || value === null) return fallback;
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
      throw invalid(client, `'${name}' must be true or false`);
    },
    text(name, options) {
      const value = raw[name];
      if (value === undefined || value === null) return undefined;
      if (typeof value === 'string') return value.trim() === '' ? undefined : options?.trim === false ? value : value.trim();
      if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
      if (typeof value === 'number') throw invalid(client, `'${name}' was read as a number that cannot be kept exactly; quote it in the YAML file`);
      throw invalid(client, `'${name}' must be a text value`);
    },
  };
}

/**
 * Reads a transport's option file through `parse` and logs what operators need: the file that
 * cannot be read, each client's problem with its code, and one line naming the clients ready
 * (`describe` adds a detail per client, e.g. the API it uses). Never throws: no clients then.
 */
export function loadClientOptions<T>(config: ConfigService, logger: Logger, spec: {
  file: string;
  /** The vendor's name in log lines: `APNs`, `FCM`, `WNS`. */
  vendor: string;
  parse(raw: unknown): ParsedClientOptions<T>;
  describe?(client: T): unknown;
}): Map<string, T> {
  let parsed: ParsedClientOptions<T>;
  try {
    parsed = spec.parse(config.yaml(spec.file));
  } catch (error) {
    logger.error({ err: error, file: spec.file }, `${spec.file} cannot be read; no ${spec.vendor} client is available`);
    return new Map();
  }
  for (const [client, problem] of parsed.problems) logger.error({ code: problem.code, client }, problem.message);
  const { describe } = spec;
  const clients = describe ? Object.fromEntries([...parsed.clients].map(([id, client]) => [id, describe(client)])) : [...parsed.clients.keys()];
  logger.info({ clients, disabled: parsed.disabled, broken: [...parsed.problems.keys()] }, `${spec.vendor} clients ready`);
  return parsed.clients;
}
