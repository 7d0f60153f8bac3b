/**
 * `com.openexchange.push.allowedClients`: which clients' sessions start session-bound listeners.
 * A pattern ending in a single `*` or `?` is a case-insensitive prefix (`USM-EAS*` matches
 * `usm-eas-android`); any other `*` matches any run of characters and `?` one character; all
 * matching ignores case. An empty list allows every client.
 */
export const DEFAULT_ALLOWED_CLIENTS: readonly string[] = ['USM-EAS*', 'open-xchange-mobile-api-facade*'];

export interface ClientMatcher {
  readonly patterns: readonly string[];
  allows(client: string): boolean;
}

function escape(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

function wildcards(pattern: string): string {
  return [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escape(c))).join('');
}

export function compilePattern(pattern: string): RegExp {
  const last = pattern.at(-1);
  const beforeLast = pattern.at(-2);
  const prefix = (last === '*' || last === '?') && beforeLast !== '*' && beforeLast !== '?';
  const body = prefix ? `${wildcards(pattern.slice(0, -1))}.*` : wildcards(pattern);
  return new RegExp(`^${body}$`, 'is');
}

export function createClientMatcher(patterns: readonly string[]): ClientMatcher {
  const cleaned = patterns.map((pattern) => pattern.trim().replace(/^(["'])(.*)\1$/, '$2').trim()).filter((pattern) => pattern !== '');
  const compiled = cleaned.map(compilePattern);
  return {
    patterns: cleaned,
    allows: (client) => compiled.length === 0 || compiled.some((regex) => regex.test(client)),
  };
}
