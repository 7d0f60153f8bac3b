// Test plumbing for contacts-ldap: sibling bundles, directory content, HTTP calls.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DefinedBundle } from '@keel/plugin-sdk';
import { loadBundle } from '@keel/plugin-sdk/testing';
import { generatePeopleLdif, ldifLine, type SlapdServer } from '@keel/test/harness';

/** Sibling bundles are loaded by name from plugins/<name>, as the kernel would find them. */
export { loadBundle };

/** Every bundle of the contacts stack with real sessions: storage, auth, sessions, both storages, the module. */
export async function contactStack(): Promise<Record<string, DefinedBundle<any, any>>> {
  const names = ['storage-sql', 'auth', 'auth-database', 'sessiond', 'contacts-sql', 'contacts'];
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await loadBundle(name)] as const)));
}

export const SUFFIX = 'dc=example,dc=com';
export const PEOPLE_BASE = `ou=people,${SUFFIX}`;
export const SPECIAL_BASE = `ou=special,${SUFFIX}`;
export const DEPARTMENTS = ['Sales', 'Support', 'Research'] as const;

/** The department of generated person `index`: Sales for 3, 6, 9 …, Support for 1, 4 …, Research for 2, 5 …. */
export function departmentOf(index: number): string {
  return DEPARTMENTS[index % 3]!;
}

/**
 * `count` generated people (uid userN, password secretN, mail userN@example.com) with a
 * departmentNumber each, plus ou=special holding names full of filter syntax.
 */
export async function directoryLdif(count: number): Promise<string> {
  const people = generatePeopleLdif(count, { suffix: SUFFIX })
    .split('\n\n')
    .map((block) => {
      const index = /^uid: user(\d+)$/m.exec(block)?.[1];
      return index === undefined ? block : `${block.trimEnd()}\ndepartmentNumber: ${departmentOf(Number(index))}`;
    })
    .join('\n\n');
  const special = (uid: string, cn: string, sn: string) =>
    [ldifLine('dn', `uid=${uid},${SPECIAL_BASE}`), 'objectClass: inetOrgPerson', ldifLine('uid', uid), ldifLine('cn', cn), ldifLine('sn', sn), ldifLine('mail', `${uid}@special.example`)].join('\n');
  return [
    people.trimEnd(),
    [`dn: ${SPECIAL_BASE}`, 'objectClass: organizationalUnit', 'ou: special'].join('\n'),
    special('paren', 'Paren (Test)', 'Paren'),
    special('star', 'Star*Name', 'Star'),
    special('backslash', 'Back\\slash', 'Back'),
    special('injection', '*)(uid=*', 'Injection'),
  ].join('\n\n') + '\n';
}

/** slapd's PID, for freezing it (SIGSTOP) to play a hung directory. */
export async function slapdPid(slapd: SlapdServer): Promise<number> {
  return Number((await readFile(join(slapd.baseDir, 'slapd.pid'), 'utf8')).trim());
}

export interface Client {
  url: string;
  session: string;
  cookie: string;
}

export async function login(url: string, name: string, password: string): Promise<Client> {
  const response = await fetch(`${url}/appsuite/api/login?action=login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name, password }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`login of ${name} failed: ${response.status} ${JSON.stringify(body)}`);
  const secret = response.headers.getSetCookie().map((line) => line.split(';')[0]!).find((pair) => pair.startsWith('open-xchange-secret-'))!;
  return { url, session: String(body['session']), cookie: secret };
}

export interface Answer<T = unknown> {
  status: number;
  data: T;
  body: Record<string, unknown>;
}

export async function call<T = unknown>(client: Client, module: string, action: string, params: Record<string, string | number> = {}, body?: unknown): Promise<Answer<T>> {
  const query = new URLSearchParams({ action, session: client.session, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
  const response = await fetch(`${client.url}/appsuite/api/${module}?${query}`, {
    method: body === undefined ? 'GET' : 'PUT',
    headers: { cookie: client.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, data: json['data'] as T, body: json };
}

export async function ok<T = unknown>(client: Client, module: string, action: string, params: Record<string, string | number> = {}, body?: unknown): Promise<T> {
  const answer = await call<T>(client, module, action, params, body);
  if (answer.status !== 200 || answer.body['error'] !== undefined) throw new Error(`${module}?action=${action} answered ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.data;
}

export type Json = Record<string, unknown>;
