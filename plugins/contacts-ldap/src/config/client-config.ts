// ldap-client-config.yml: the LDAP connections (hosts, TLS, pool, timeouts, how to bind).
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ConfigService } from '@keel/plugin-sdk';
import { FilterParser } from 'ldapts';
import { YamlReader } from './yaml-reader.js';

export const CLIENT_CONFIG_FILE = 'ldap-client-config.yml';

export type SearchScope = 'base' | 'one' | 'sub';
export const SCOPES: readonly SearchScope[] = ['base', 'one', 'sub'];

/**
 * How a connection authenticates:
 * - `anonymous`: no bind;
 * - `admindn`: one service DN and password for everybody;
 * - `userdn`: as the logged-in user, DN built from a template (`uid=[uid],ou=people,…`);
 * - `userdnresolved`: as the logged-in user, DN found by a search (`(mail=[mail])`), bound with the user's password.
 */
export type BindMode = 'anonymous' | 'admindn' | 'userdn' | 'userdnresolved';
export const BIND_MODES: readonly BindMode[] = ['anonymous', 'admindn', 'userdn', 'userdnresolved'];

export interface ServiceCredentials {
  dn: string;
  password: string;
}

export type BindConfig =
  | { mode: 'anonymous' }
  | { mode: 'admindn'; credentials: ServiceCredentials }
  | { mode: 'userdn'; template: string }
  | {
      mode: 'userdnresolved';
      base: string;
      scope: SearchScope;
      /** A filter template; placeholders are replaced by RFC 4515-escaped values. */
      filter: string;
      /** Who runs the user search; anonymous when absent. */
      credentials?: ServiceCredentials;
      cacheTtlMs: number;
    };

export interface ConnectionConfig {
  name: string;
  /** `ldap://host:port` or `ldaps://host:port`, tried in order. */
  hosts: string[];
  tls: { startTls: boolean; rejectUnauthorized: boolean; ca?: string };
  pool: { size: number; acquireTimeoutMs: number };
  timeouts: { connectMs: number; operationMs: number; requestMs: number };
  bind: BindConfig;
}

function credentials(reader: YamlReader, config: ConfigService): ServiceCredentials {
  const dn = reader.child('dn').string();
  const literal = reader.child('password').optionalString();
  const property = reader.child('passwordProperty').optionalString();
  // A property keeps the secret out of the YAML file: it can come from ${env:…} or KEEL_… overrides.
  const password = literal ?? (property !== undefined ? config.get(property) : undefined);
  if (password === undefined || password === '') {
    reader.problem(property !== undefined ? `names passwordProperty "${property}", which is not set` : 'needs "password" or "passwordProperty"');
  }
  return { dn, password };
}

function checkFilter(reader: YamlReader, sample: string): void {
  try {
    FilterParser.parseString(sample);
  } catch (error) {
    reader.problem(`is not a valid LDAP filter: ${(error as Error).message}`);
  }
}

function readBind(reader: YamlReader, config: ConfigService): BindConfig {
  const mode = reader.child('mode').oneOf(BIND_MODES, 'anonymous');
  switch (mode) {
    case 'anonymous':
      reader.keys(['mode']);
      return { mode };
    case 'admindn':
      reader.keys(['mode', 'dn', 'password', 'passwordProperty']);
      return { mode, credentials: credentials(reader, config) };
    case 'userdn': {
      reader.keys(['mode', 'template']);
      const template = reader.child('template').string();
      if (!/\[(login|uid|domain|mail)\]/.test(template)) reader.child('template').problem('must contain a placeholder: [login], [uid], [domain] or [mail]');
      return { mode, template };
    }
    case 'userdnresolved': {
      reader.keys(['mode', 'base', 'scope', 'filter', 'dn', 'password', 'passwordProperty', 'cacheTtl']);
      const filter = reader.child('filter').string();
      checkFilter(reader.child('filter'), filter.replace(/\[(login|uid|domain|mail)\]/g, 'x'));
      return {
        mode,
        base: reader.child('base').string(),
        scope: reader.child('scope').oneOf(SCOPES, 'sub'),
        filter,
        ...(reader.child('dn').present ? { credentials: credentials(reader, config) } : {}),
        cacheTtlMs: reader.child('cacheTtl').number(300_000),
      };
    }
  }
}

function readConnection(name: string, reader: YamlReader, config: ConfigService): ConnectionConfig {
  reader.keys(['hosts', 'tls', 'pool', 'timeouts', 'bind']);
  const hosts = reader.child('hosts').stringList();
  if (hosts.length === 0) reader.child('hosts').problem('needs at least one ldap:// or ldaps:// URL');
  hosts.forEach((host, index) => {
    if (!/^ldaps?:\/\/[^/\s]+\/?$/i.test(host)) reader.child('hosts').problem(`entry ${index} "${host}" is not an ldap://host:port or ldaps://host:port URL`);
  });
  const tls = reader.child('tls').keys(['startTls', 'rejectUnauthorized', 'caFile']);
  const caFile = tls.child('caFile').optionalString();
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      // Relative to the config directory, like every other file a bundle reads (not the working directory).
      ca = readFileSync(isAbsolute(caFile) ? caFile : resolve(config.directory, caFile), 'utf8');
    } catch (error) {
      tls.child('caFile').problem(`cannot be read: ${(error as Error).message}`);
    }
  }
  const pool = reader.child('pool').keys(['size', 'acquireTimeout']);
  const timeouts = reader.child('timeouts').keys(['connect', 'operation', 'request']);
  const connectMs = timeouts.child('connect').number(3000, 1);
  const operationMs = timeouts.child('operation').number(5000, 1);
  return {
    name,
    hosts: hosts.map((host) => host.replace(/\/$/, '')),
    tls: { startTls: tls.child('startTls').boolean(false), rejectUnauthorized: tls.child('rejectUnauthorized').boolean(true), ...(ca !== undefined ? { ca } : {}) },
    pool: { size: pool.child('size').number(4, 1, 100), acquireTimeoutMs: pool.child('acquireTimeout').number(5000, 1) },
    timeouts: { connectMs, operationMs, requestMs: timeouts.child('request').number(connectMs + 2 * operationMs, 1) },
    bind: readBind(reader.child('bind'), config),
  };
}

/** Every connection of ldap-client-config.yml, by name. An absent file means no connections. */
export function readClientConfig(config: ConfigService): Map<string, ConnectionConfig> {
  const root = new YamlReader(CLIENT_CONFIG_FILE, '', config.yaml(CLIENT_CONFIG_FILE)).keys(['connections']);
  const connections = new Map<string, ConnectionConfig>();
  for (const [name, reader] of root.child('connections').entries()) connections.set(name, readConnection(name, reader, config));
  return connections;
}
