// keel.database.url: which dialect, where, and how to show it without the password.
import { isAbsolute, resolve } from 'node:path';
import { invalidDatabaseUrl } from './errors.js';

export type DatabaseTarget =
  | { dialect: 'mysql'; host: string; port: number; user: string; password: string; database: string; displayUrl: string }
  | { dialect: 'sqlite'; path: string; displayUrl: string };

/** Replaces the password of `scheme://user:password@host` with `****`; works on URLs that do not parse. */
export function maskDatabaseUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^@]*@/i, '$1****@');
}

/**
 * `mysql://user:pass@host:port/db` (also `mariadb://`; user and password percent-encoded) or
 * `sqlite:<path>` (`sqlite::memory:` for a throw-away database). A relative SQLite path is taken
 * from the data directory, so a service's working directory does not matter.
 */
export function parseDatabaseUrl(url: string, dataDirectory: string): DatabaseTarget {
  const displayUrl = maskDatabaseUrl(url.trim());
  const text = url.trim();
  if (/^sqlite:/i.test(text)) {
    let path = text.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') throw invalidDatabaseUrl(displayUrl, 'the SQLite path is empty');
    if (path !== ':memory:' && !isAbsolute(path)) path = resolve(dataDirectory, path);
    return { dialect: 'sqlite', path, displayUrl };
  }
  if (/^(mysql|mariadb):\/\//i.test(text)) {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw invalidDatabaseUrl(displayUrl, 'it is not a valid URL');
    }
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    if (database === '' || database.includes('/')) throw invalidDatabaseUrl(displayUrl, 'name the database as the path, e.g. /keel');
    if (parsed.hostname === '') throw invalidDatabaseUrl(displayUrl, 'the host is missing');
    const port = parsed.port === '' ? 3306 : Number(parsed.port);
    return {
      dialect: 'mysql',
      host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port,
      user: decodeURIComponent(parsed.username) || 'root',
      password: decodeURIComponent(parsed.password),
      database,
      displayUrl,
    };
  }
  throw invalidDatabaseUrl(displayUrl, 'unsupported scheme');
}
