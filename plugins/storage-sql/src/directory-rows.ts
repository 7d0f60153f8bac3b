// Reads contexts and users with their mappings, addresses and attributes, a page at a time.
import type { Context, User } from '@keel/plugin-sdk';
import type { Kysely } from 'kysely';
import type { DirectoryTables } from './directory-schema.js';
import { CONFIG_PREFIX } from './validation.js';

/** Works inside and outside a transaction. */
type Reader = Kysely<DirectoryTables>;
type UserRow = DirectoryTables['keel_users'];

/** Splits stored attributes into free attributes and config values (`config/<property>`). */
export function splitAttributes(rows: ReadonlyArray<{ name: string; value: string }>): { attributes: Record<string, string>; config: Record<string, string> } {
  const attributes: Record<string, string> = {};
  const config: Record<string, string> = {};
  for (const { name, value } of rows) {
    if (name.startsWith(CONFIG_PREFIX)) config[name.slice(CONFIG_PREFIX.length)] = value;
    else attributes[name] = value;
  }
  return { attributes, config };
}

function groupBy<R, K>(rows: readonly R[], key: (row: R) => K): Map<K, R[]> {
  const groups = new Map<K, R[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

/** Contexts by id, in the order of `ids` (missing ids are skipped). */
export async function loadContexts(db: Reader, ids: readonly number[]): Promise<Context[]> {
  if (ids.length === 0) return [];
  const [rows, mappings, attributes] = await Promise.all([
    db.selectFrom('keel_contexts').select(['id', 'name', 'enabled']).where('id', 'in', ids).execute(),
    db.selectFrom('keel_context_mappings').select(['context_id', 'mapping']).where('context_id', 'in', ids).orderBy('mapping').execute(),
    db.selectFrom('keel_context_attributes').select(['context_id', 'name', 'value']).where('context_id', 'in', ids).orderBy('name').execute(),
  ]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  const mappingsOf = groupBy(mappings, (row) => row.context_id);
  const attributesOf = groupBy(attributes, (row) => row.context_id);
  const contexts: Context[] = [];
  for (const id of ids) {
    const row = byId.get(id);
    if (!row) continue;
    contexts.push({
      id: row.id,
      name: row.name,
      enabled: Number(row.enabled) === 1,
      loginMappings: (mappingsOf.get(id) ?? []).map((mapping) => mapping.mapping),
      ...splitAttributes(attributesOf.get(id) ?? []),
    });
  }
  return contexts;
}

export async function loadContext(db: Reader, id: number): Promise<Context | undefined> {
  return (await loadContexts(db, [id]))[0];
}

export const USER_COLUMNS = ['context_id', 'id', 'login', 'display_name', 'email', 'enabled', 'source', 'external_dn'] as const;

/** Completes user rows of one context with their aliases and attributes (two queries per batch). */
export async function completeUsers(db: Reader, contextId: number, rows: ReadonlyArray<Omit<UserRow, 'login_key' | 'password_hash'>>): Promise<User[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [addresses, attributes] = await Promise.all([
    db.selectFrom('keel_user_addresses').select(['user_id', 'address', 'position'])
      .where('context_id', '=', contextId).where('user_id', 'in', ids).where('kind', '=', 'alias')
      .orderBy('user_id').orderBy('position').execute(),
    db.selectFrom('keel_user_attributes').select(['user_id', 'name', 'value'])
      .where('context_id', '=', contextId).where('user_id', 'in', ids).orderBy('name').execute(),
  ]);
  const aliasesOf = groupBy(addresses, (row) => row.user_id);
  const attributesOf = groupBy(attributes, (row) => row.user_id);
  return rows.map((row) => {
    const user: User = {
      contextId: row.context_id,
      id: row.id,
      login: row.login,
      displayName: row.display_name,
      email: row.email,
      aliases: (aliasesOf.get(row.id) ?? []).map((alias) => alias.address),
      enabled: Number(row.enabled) === 1,
      ...splitAttributes(attributesOf.get(row.id) ?? []),
      source: row.source,
    };
    if (row.external_dn !== null) user.externalDn = row.external_dn;
    return user;
  });
}

export async function loadUser(db: Reader, contextId: number, userId: number): Promise<User | undefined> {
  const row = await db.selectFrom('keel_users').select(USER_COLUMNS).where('context_id', '=', contextId).where('id', '=', userId).executeTakeFirst();
  return row ? (await completeUsers(db, contextId, [row]))[0] : undefined;
}
