// auth-appintegration.yml: the Application Integration server each context authenticates and syncs against.
import { invalidServers } from './errors.js';

export const SERVERS_FILE = 'auth-appintegration.yml';

export interface IntegrationServer {
  contextId: number;
  /** The URL MailStore would be given, e.g. `https://ais.example.com/mailstore-integration/index.php`. */
  url: URL;
  login: string;
  password: string;
  /** Deadline of one cmd=auth request (default 5000 ms). */
  timeoutMs: number;
  /** Deadline of one whole cmd=list download (default 300 000 ms). */
  listTimeoutMs: number;
  /** Verify the server's TLS certificate (default true). */
  rejectUnauthorized: boolean;
  /** Sync every this many minutes (fractions allowed); undefined: only on demand. */
  syncScheduleMinutes: number | undefined;
}

const KEYS = new Set(['url', 'login', 'password', 'timeoutMs', 'listTimeoutMs', 'rejectUnauthorized', 'syncSchedule']);

/** The URL as it may appear in logs and messages: never with credentials. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * `<context id>: {url, login, password, timeoutMs?, listTimeoutMs?, rejectUnauthorized?, syncSchedule?}`.
 * Every problem names the context and the field.
 */
export function parseServers(raw: unknown, file = SERVERS_FILE): Map<number, IntegrationServer> {
  const servers = new Map<number, IntegrationServer>();
  if (raw === undefined || raw === null) return servers;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidServers(file, 'expected a mapping of context ids to {url, login, password, …}');
  for (const [key, entry] of Object.entries(raw as Record<string, unknown>)) {
    const fail = (detail: string) => invalidServers(file, `context '${key}': ${detail}`);
    if (!/^\d+$/.test(key) || Number(key) < 1) throw fail('the key must be a context id (a whole number ≥ 1)');
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw fail('expected {url, login, password, …}');
    const fields = entry as Record<string, unknown>;
    for (const name of Object.keys(fields)) if (!KEYS.has(name)) throw fail(`unknown key '${name}' (allowed: ${[...KEYS].join(', ')})`);

    let url: URL;
    try {
      url = new URL(String(fields['url'] ?? ''));
    } catch {
      throw fail(`url must be an http:// or https:// URL, got ${JSON.stringify(fields['url'])}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail(`url must be an http:// or https:// URL, got '${url.protocol}'`);
    if (url.username !== '' || url.password !== '') throw fail('url must not contain credentials: put them in login and password');

    const login = fields['login'];
    if (typeof login !== 'string' || login === '' || login.includes(':')) throw fail('login must be a non-empty string without ":"');
    const password = typeof fields['password'] === 'number' ? String(fields['password']) : fields['password'];
    if (typeof password !== 'string' || password === '') throw fail('password must be a non-empty string');

    const number = (name: string, fallback: number, min: number, max: number): number => {
      const value = fields[name];
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw fail(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
      return value;
    };
    const rejectUnauthorized = fields['rejectUnauthorized'] ?? true;
    if (typeof rejectUnauthorized !== 'boolean') throw fail('rejectUnauthorized must be true or false');
    // Minutes; fractions are allowed (0.5 = every 30 s), 0 or absent means on demand only.
    const schedule = fields['syncSchedule'] ?? 0;
    if (typeof schedule !== 'number' || !Number.isFinite(schedule) || schedule < 0 || (schedule > 0 && schedule < 0.01) || schedule > 7 * 24 * 60) {
      throw fail(`syncSchedule must be a number of minutes from 0.01 to ${7 * 24 * 60} (0 = on demand only), got ${JSON.stringify(fields['syncSchedule'])}`);
    }

    servers.set(Number(key), {
      contextId: Number(key),
      url,
      login,
      password,
      timeoutMs: number('timeoutMs', 5000, 100, 600_000),
      listTimeoutMs: number('listTimeoutMs', 300_000, 1000, 24 * 3600_000),
      rejectUnauthorized,
      syncScheduleMinutes: schedule === 0 ? undefined : schedule,
    });
  }
  return servers;
}
