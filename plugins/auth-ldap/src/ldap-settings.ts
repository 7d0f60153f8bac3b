import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ConfigService } from '@keel/plugin-sdk';
import { invalidSetting } from './errors.js';
import { fillFilterTemplate, hasPlaceholder } from './ldap-escape.js';

export const PREFIX = 'keel.auth.ldap.';

export type BindMode = 'template' | 'search';
export type SearchScope = 'base' | 'one' | 'sub' | 'children';

export interface LdapSettings {
  /** Tried in order; the one that answered last is tried first next time. */
  urls: string[];
  tls: {
    startTls: boolean;
    /** PEM text of the CA file, read at start. */
    ca?: string;
    caFile?: string;
    rejectUnauthorized: boolean;
  };
  connectTimeoutMs: number;
  operationTimeoutMs: number;
  mode: BindMode;
  /** Template mode: `uid={login},ou=people,dc=example,dc=com`. */
  userDnTemplate?: string;
  /** The service account searches run as (search mode; in template mode it checks whether an entry exists). */
  bindDn?: string;
  bindPassword?: string;
  search: { baseDn: string; filter: string; scope: SearchScope };
  attributes: { login: string; mail: string; displayName: string[]; aliases: string[] };
  /** Users land in this context; otherwise the context comes from the login's `@mapping` (or the default context). */
  contextId?: number;
}

const SCOPES: readonly SearchScope[] = ['base', 'one', 'sub', 'children'];
const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9-]*$/;

/** Reads and checks every `keel.auth.ldap.*` property; throws AUTHLDAP-0001 naming the property. */
export function readLdapSettings(config: ConfigService): LdapSettings {
  const name = (key: string) => `${PREFIX}${key}`;
  const text = (key: string): string | undefined => {
    const value = config.get(name(key))?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const urls = config.getList(name('url'));
  if (urls.length === 0) throw invalidSetting(name('url'), 'no LDAP server configured (ldap://host:389 or ldaps://host:636, comma-separated for failover)');
  for (const url of urls) checkUrl(url, name('url'));
  const startTls = config.getBoolean(name('startTls'), false);
  if (startTls && urls.some((url) => url.toLowerCase().startsWith('ldaps:'))) {
    throw invalidSetting(name('startTls'), 'StartTLS cannot be used with ldaps:// URLs (they are encrypted already)');
  }

  const caFile = text('tls.caFile');
  const ca = caFile === undefined ? undefined : readCaFile(caFile, config.directory, name('tls.caFile'));
  const rejectUnauthorized = config.getBoolean(name('tls.rejectUnauthorized'), true);
  const usesTls = startTls || urls.some((url) => url.toLowerCase().startsWith('ldaps:'));
  if (!usesTls && (caFile !== undefined || !rejectUnauthorized)) {
    throw invalidSetting(caFile !== undefined ? name('tls.caFile') : name('tls.rejectUnauthorized'), 'TLS options need an ldaps:// URL or startTls=true');
  }

  const connectTimeoutMs = positive(config.getNumber(name('connectTimeoutMs'), 5000), name('connectTimeoutMs'));
  const operationTimeoutMs = positive(config.getNumber(name('operationTimeoutMs'), 10_000), name('operationTimeoutMs'));

  const bindDn = text('bindDn');
  const bindPassword = config.get(name('bindPassword'));
  // An empty password turns a simple bind into an unauthenticated one, which servers answer with "success".
  if (bindDn !== undefined && (bindPassword === undefined || bindPassword === '')) {
    throw invalidSetting(name('bindPassword'), `required with ${name('bindDn')} (use \${env:NAME} or \${file:path} to keep it out of the file)`);
  }

  const modeText = (text('mode') ?? 'search').toLowerCase();
  if (modeText !== 'template' && modeText !== 'search') throw invalidSetting(name('mode'), `'${modeText}' is neither 'template' nor 'search'`);
  const mode: BindMode = modeText;

  const userDnTemplate = text('userDnTemplate');
  if (mode === 'template') {
    if (userDnTemplate === undefined) throw invalidSetting(name('userDnTemplate'), 'required in template mode, e.g. uid={login},ou=people,dc=example,dc=com');
    if (!hasPlaceholder(userDnTemplate)) throw invalidSetting(name('userDnTemplate'), `'${userDnTemplate}' contains neither {login} nor {input}`);
  }

  const baseDn = text('search.baseDn') ?? '';
  const filter = text('search.filter') ?? '(&(objectClass=inetOrgPerson)(uid={login}))';
  const scope = (text('search.scope') ?? 'sub').toLowerCase() as SearchScope;
  if (!SCOPES.includes(scope)) throw invalidSetting(name('search.scope'), `'${scope}' is not one of ${SCOPES.join(', ')}`);
  if (mode === 'search') {
    if (baseDn === '') throw invalidSetting(name('search.baseDn'), 'required in search mode, e.g. ou=people,dc=example,dc=com');
    // Without a placeholder every login would find the same entries.
    if (!hasPlaceholder(filter)) throw invalidSetting(name('search.filter'), `'${filter}' contains neither {login} nor {input}`);
    try {
      // ldapts' parser forgives a missing closing parenthesis; the server would not
      if (!balanced(filter)) throw new Error('unbalanced parentheses');
      fillFilterTemplate(filter, { login: 'probe', input: 'probe@example.com' });
    } catch (error) {
      throw invalidSetting(name('search.filter'), `'${filter}' is not a valid LDAP filter: ${(error as Error).message}`);
    }
  }

  const attributes = {
    login: attribute(text('attribute.login') ?? 'uid', name('attribute.login')),
    mail: attribute(text('attribute.mail') ?? 'mail', name('attribute.mail')),
    displayName: config.getList(name('attribute.displayName'), ['displayName', 'cn']).map((value) => attribute(value, name('attribute.displayName'))),
    aliases: config.getList(name('attribute.aliases'), []).map((value) => attribute(value, name('attribute.aliases'))),
  };

  const contextText = text('contextId');
  let contextId: number | undefined;
  if (contextText !== undefined) {
    contextId = Number(contextText);
    if (!Number.isInteger(contextId) || contextId < 1) throw invalidSetting(name('contextId'), `'${contextText}' is not a context id (leave it empty to use the login's @mapping)`);
  }

  return {
    urls,
    tls: { startTls, ...(ca !== undefined ? { ca, caFile } : {}), rejectUnauthorized },
    connectTimeoutMs,
    operationTimeoutMs,
    mode,
    ...(userDnTemplate !== undefined ? { userDnTemplate } : {}),
    ...(bindDn !== undefined ? { bindDn, bindPassword: bindPassword! } : {}),
    search: { baseDn, filter, scope },
    attributes,
    ...(contextId !== undefined ? { contextId } : {}),
  };
}

function checkUrl(url: string, property: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidSetting(property, `'${url}' is not a URL (ldap://host:389 or ldaps://host:636)`);
  }
  if (parsed.protocol !== 'ldap:' && parsed.protocol !== 'ldaps:') throw invalidSetting(property, `'${url}' must start with ldap:// or ldaps://`);
  if (parsed.hostname === '') throw invalidSetting(property, `'${url}' names no host`);
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '' || parsed.username !== '') {
    throw invalidSetting(property, `'${url}' may only name scheme, host and port (base DN and credentials have their own properties)`);
  }
}

/** The CA file as PEM; a missing, unreadable or non-certificate file fails the start with its path. */
function readCaFile(path: string, configDirectory: string, property: string): string {
  const absolute = isAbsolute(path) ? path : resolve(configDirectory, path);
  let pem: string;
  try {
    pem = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw invalidSetting(property, `cannot read CA file ${absolute} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, error);
  }
  try {
    new X509Certificate(pem);
  } catch (error) {
    throw invalidSetting(property, `${absolute} holds no PEM certificate (${(error as Error).message})`, error);
  }
  return pem;
}

/** One parenthesised filter, every parenthesis closed (in a filter, literal ones are escaped as `\28` and `\29`). */
function balanced(filter: string): boolean {
  let depth = 0;
  for (let index = 0; index < filter.length; index++) {
    // the first character opens the filter; nothing may follow once it is closed
    if (depth === 0 && index > 0) return false;
    if (filter[index] === '(') depth++;
    else if (filter[index] === ')') depth--;
    else if (index === 0) return false;
    if (depth < 0) return false;
  }
  return depth === 0;
}

function positive(value: number, property: string): number {
  if (value <= 0) throw invalidSetting(property, `must be a positive number of milliseconds, got ${value}`);
  return value;
}

function attribute(value: string, property: string): string {
  if (!ATTRIBUTE.test(value)) throw invalidSetting(property, `'${value}' is not an attribute name`);
  return value;
}
