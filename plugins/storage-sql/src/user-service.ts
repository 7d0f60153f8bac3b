// UserService on the directory tables.
import type { ConfigChange, Database, Page, User, UserCreate, UserService, UserUpdate } from '@keel/plugin-sdk';
import type { Kysely, Transaction } from 'kysely';
import type { DirectoryEvents } from './directory-events.js';
import { USER_COLUMNS, completeUsers, loadUser } from './directory-rows.js';
import type { DirectoryTables } from './directory-schema.js';
import { duplicateUser, invalidUserInput, isUniqueViolation, unknownContext, unknownUser } from './errors.js';
import { dummyVerify, hashPassword, verifyPasswordHash } from './password-hash.js';
import {
  CONFIG_PREFIX, LIMITS, checkAttributes, checkBoolean, checkConfigChange, checkMail, checkPage, checkStringList, checkText, checkToken, describe,
} from './validation.js';

type Trx = Transaction<DirectoryTables>;

export interface UserServiceOptions {
  database: Database;
  events: DirectoryEvents;
}

const fail = invalidUserInput;
const CREATE_KEYS = new Set(['login', 'password', 'displayName', 'email', 'aliases', 'enabled', 'attributes', 'source', 'externalDn']);
const UPDATE_KEYS = new Set(['displayName', 'email', 'aliases', 'enabled', 'attributes', 'externalDn']);
const DEFAULT_BATCH = 500;

function checkKeys(input: unknown, allowed: ReadonlySet<string>, what: string): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw fail(`${what} must be an object, got ${describe(input)}`);
  for (const key of Object.keys(input)) if (!allowed.has(key)) throw fail(`unknown field '${key}' in ${what} (allowed: ${[...allowed].join(', ')})`, [key]);
  return input as Record<string, unknown>;
}

function checkPassword(value: unknown): string {
  if (typeof value !== 'string') throw fail(`password must be a string, got ${value === null ? 'null' : `a ${typeof value}`}`, ['password']);
  if (value === '') throw fail('password must not be empty', ['password']);
  if (value.length > LIMITS.password) throw fail(`password exceeds ${LIMITS.password} characters`, ['password', LIMITS.password]);
  return value;
}

/** Aliases without duplicates (case-insensitive) and without the primary address, which is stored once. */
function checkAliases(value: unknown, primary: string): string[] {
  const seen = new Set([primary.toLowerCase()]);
  const aliases: string[] = [];
  for (const entry of checkStringList(value, 'aliases', LIMITS.aliases, fail)) {
    const alias = checkMail(entry, 'alias', fail);
    if (seen.has(alias.toLowerCase())) continue;
    seen.add(alias.toLowerCase());
    aliases.push(alias);
  }
  return aliases;
}

function addressRows(contextId: number, userId: number, email: string, aliases: readonly string[]): DirectoryTables['keel_user_addresses'][] {
  return [
    { context_id: contextId, user_id: userId, address: email, address_key: email.toLowerCase(), kind: 'primary', position: 0 },
    ...aliases.map((alias, index) => ({
      context_id: contextId, user_id: userId, address: alias, address_key: alias.toLowerCase(), kind: 'alias' as const, position: index + 1,
    })),
  ];
}

export function createUserService(options: UserServiceOptions): UserService {
  const { database, events } = options;
  const db = database.db as Kysely<DirectoryTables>;
  const transaction = <T>(work: (trx: Trx) => Promise<T>): Promise<T> => database.transaction((trx) => work(trx as Trx));

  /** 404 with the right code: the context or the user. */
  async function missing(reader: Kysely<DirectoryTables>, contextId: number, userId: number): Promise<never> {
    const context = await reader.selectFrom('keel_contexts').select('id').where('id', '=', contextId).executeTakeFirst();
    throw context ? unknownUser(contextId, userId) : unknownContext(contextId);
  }

  /** Takes the user's row lock (MySQL) and proves the user exists; every change starts here. */
  async function lockUser(trx: Trx, contextId: number, userId: number): Promise<void> {
    const result = await trx.updateTable('keel_users').set((eb) => ({ enabled: eb.ref('enabled') }))
      .where('context_id', '=', contextId).where('id', '=', userId).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) await missing(trx, contextId, userId);
  }

  async function assertAddressesFree(trx: Trx, contextId: number, userId: number, addresses: readonly string[]): Promise<void> {
    const taken = await trx.selectFrom('keel_user_addresses').select(['address', 'user_id'])
      .where('context_id', '=', contextId).where('address_key', 'in', addresses.map((address) => address.toLowerCase()))
      .where('user_id', '<>', userId).executeTakeFirst();
    if (taken) throw duplicateUser(`Mail address '${taken.address}' is already used by user ${taken.user_id} in context ${contextId}`, [taken.address, taken.user_id]);
  }

  async function writeAttributes(trx: Trx, contextId: number, userId: number, changes: ReadonlyMap<string, string | null>): Promise<void> {
    const names = [...changes.keys()];
    if (names.length === 0) return;
    await trx.deleteFrom('keel_user_attributes').where('context_id', '=', contextId).where('user_id', '=', userId).where('name', 'in', names).execute();
    const rows = [...changes].filter((entry): entry is [string, string] => entry[1] !== null)
      .map(([name, value]) => ({ context_id: contextId, user_id: userId, name, value }));
    if (rows.length > 0) await trx.insertInto('keel_user_attributes').values(rows).execute();
  }

  function translate(error: unknown): unknown {
    return isUniqueViolation(error) ? duplicateUser('The login or a mail address was taken by a concurrent change; try again') : error;
  }

  async function change(contextId: number, userId: number, work: (trx: Trx) => Promise<void>): Promise<User> {
    let user: User;
    try {
      user = await transaction(async (trx) => {
        await lockUser(trx, contextId, userId);
        await work(trx);
        return (await loadUser(trx, contextId, userId))!;
      });
    } catch (error) {
      throw translate(error);
    }
    await events.userChanged(contextId, userId);
    return user;
  }

  const service: UserService = {
    async create(contextId, input: UserCreate) {
      const fields = checkKeys(input, CREATE_KEYS, 'the user');
      const login = checkToken(fields['login'], 'login', LIMITS.login, fail);
      const password = fields['password'] === undefined ? undefined : checkPassword(fields['password']);
      const displayName = checkText(fields['displayName'], 'displayName', LIMITS.displayName, fail);
      const email = checkMail(fields['email'], 'email', fail);
      const aliases = fields['aliases'] === undefined ? [] : checkAliases(fields['aliases'], email);
      const enabled = fields['enabled'] === undefined ? true : checkBoolean(fields['enabled'], 'enabled', fail);
      const attributes = fields['attributes'] === undefined ? new Map<string, string>() : checkAttributes(fields['attributes'], fail, false);
      const source = fields['source'] === undefined ? 'local' : checkToken(fields['source'], 'source', LIMITS.source, fail);
      const externalDn = fields['externalDn'] === undefined ? null : checkText(fields['externalDn'], 'externalDn', LIMITS.externalDn, fail);
      // Hashing takes tens of milliseconds: done before the transaction so no lock is held meanwhile.
      const passwordHash = password === undefined ? null : await hashPassword(password);
      let user: User;
      try {
        user = await transaction(async (trx) => {
          // The context's counter is the next free user id; updating it also locks the context row.
          const bumped = await trx.updateTable('keel_contexts').set((eb) => ({ user_seq: eb('user_seq', '+', 1) })).where('id', '=', contextId).executeTakeFirst();
          if (Number(bumped.numUpdatedRows) === 0) throw unknownContext(contextId);
          const { user_seq: id } = await trx.selectFrom('keel_contexts').select('user_seq').where('id', '=', contextId).executeTakeFirstOrThrow();
          const sameLogin = await trx.selectFrom('keel_users').select('id').where('context_id', '=', contextId).where('login_key', '=', login.toLowerCase()).executeTakeFirst();
          if (sameLogin) throw duplicateUser(`Login '${login}' is already used by user ${sameLogin.id} in context ${contextId}`, [login, sameLogin.id]);
          await assertAddressesFree(trx, contextId, id, [email, ...aliases]);
          await trx.insertInto('keel_users').values({
            context_id: contextId, id, login, login_key: login.toLowerCase(), display_name: displayName, email,
            enabled: enabled ? 1 : 0, password_hash: passwordHash, source, external_dn: externalDn,
          }).execute();
          await trx.insertInto('keel_user_addresses').values(addressRows(contextId, id, email, aliases)).execute();
          await writeAttributes(trx, contextId, id, attributes);
          return (await loadUser(trx, contextId, id))!;
        });
      } catch (error) {
        throw translate(error);
      }
      await events.userChanged(contextId, user.id);
      return user;
    },

    get(contextId, userId) {
      return loadUser(db, contextId, userId);
    },

    async require(contextId, userId) {
      return (await loadUser(db, contextId, userId)) ?? missing(db, contextId, userId);
    },

    async findByLogin(contextId, login) {
      if (typeof login !== 'string' || login === '') return undefined;
      const row = await db.selectFrom('keel_users').select(USER_COLUMNS).where('context_id', '=', contextId).where('login_key', '=', login.toLowerCase()).executeTakeFirst();
      return row ? (await completeUsers(db, contextId, [row]))[0] : undefined;
    },

    async findByMail(contextId, address) {
      if (typeof address !== 'string' || address === '') return undefined;
      const row = await db.selectFrom('keel_user_addresses').select('user_id').where('context_id', '=', contextId).where('address_key', '=', address.toLowerCase()).executeTakeFirst();
      return row ? loadUser(db, contextId, row.user_id) : undefined;
    },

    async list(contextId, page?: Page) {
      const { offset, limit } = checkPage(page, fail);
      const rows = await db.selectFrom('keel_users').select(USER_COLUMNS).where('context_id', '=', contextId).orderBy('id').limit(limit).offset(offset).execute();
      return completeUsers(db, contextId, rows);
    },

    async *stream(contextId, batchSize = DEFAULT_BATCH) {
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw fail(`batchSize must be a whole number from 1 to 10000, got ${describe(batchSize)}`);
      // Keyset pagination: each batch starts after the last id seen, so no offset scan and no gaps on deletes.
      let after = 0;
      for (;;) {
        const rows = await db.selectFrom('keel_users').select(USER_COLUMNS)
          .where('context_id', '=', contextId).where('id', '>', after).orderBy('id').limit(batchSize).execute();
        if (rows.length === 0) return;
        yield* await completeUsers(db, contextId, rows);
        if (rows.length < batchSize) return;
        after = rows[rows.length - 1]!.id;
      }
    },

    async count(contextId) {
      const row = await db.selectFrom('keel_users').select((eb) => eb.fn.countAll().as('count')).where('context_id', '=', contextId).executeTakeFirst();
      return Number(row?.count ?? 0);
    },

    async update(contextId, userId, update: UserUpdate) {
      const fields = checkKeys(update, UPDATE_KEYS, 'the user update');
      const displayName = fields['displayName'] === undefined ? undefined : checkText(fields['displayName'], 'displayName', LIMITS.displayName, fail);
      const email = fields['email'] === undefined ? undefined : checkMail(fields['email'], 'email', fail);
      const enabled = fields['enabled'] === undefined ? undefined : checkBoolean(fields['enabled'], 'enabled', fail);
      const attributes = fields['attributes'] === undefined ? undefined : checkAttributes(fields['attributes'], fail, true);
      const externalDn = fields['externalDn'] === undefined || fields['externalDn'] === null
        ? (fields['externalDn'] as null | undefined)
        : checkText(fields['externalDn'], 'externalDn', LIMITS.externalDn, fail);
      if (fields['aliases'] !== undefined) checkAliases(fields['aliases'], email ?? '');
      return change(contextId, userId, async (trx) => {
        const row: Partial<DirectoryTables['keel_users']> = {};
        if (displayName !== undefined) row.display_name = displayName;
        if (email !== undefined) row.email = email;
        if (enabled !== undefined) row.enabled = enabled ? 1 : 0;
        if (externalDn !== undefined) row.external_dn = externalDn;
        if (Object.keys(row).length > 0) await trx.updateTable('keel_users').set(row).where('context_id', '=', contextId).where('id', '=', userId).execute();
        if (email !== undefined || fields['aliases'] !== undefined) {
          const current = (await loadUser(trx, contextId, userId))!;
          const primary = email ?? current.email;
          const aliases = checkAliases(fields['aliases'] ?? current.aliases, primary);
          await assertAddressesFree(trx, contextId, userId, [primary, ...aliases]);
          await trx.deleteFrom('keel_user_addresses').where('context_id', '=', contextId).where('user_id', '=', userId).execute();
          await trx.insertInto('keel_user_addresses').values(addressRows(contextId, userId, primary, aliases)).execute();
        }
        if (attributes !== undefined) await writeAttributes(trx, contextId, userId, attributes);
      });
    },

    async setPassword(contextId, userId, password) {
      const checked = checkPassword(password);
      const passwordHash = await hashPassword(checked);
      const result = await db.updateTable('keel_users').set({ password_hash: passwordHash }).where('context_id', '=', contextId).where('id', '=', userId).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) await missing(db, contextId, userId);
      await events.passwordChanged(contextId, userId, checked);
    },

    async verifyPassword(contextId, userId, password, options = {}) {
      if (typeof password !== 'string' || password.length > LIMITS.password) return dummyVerify(String(password).slice(0, LIMITS.password));
      const row = await db.selectFrom('keel_users').innerJoin('keel_contexts', 'keel_contexts.id', 'keel_users.context_id')
        .select(['keel_users.enabled as userEnabled', 'keel_contexts.enabled as contextEnabled', 'keel_users.password_hash as hash'])
        .where('keel_users.context_id', '=', contextId).where('keel_users.id', '=', userId).executeTakeFirst();
      const enabled = row !== undefined && Number(row.userEnabled) === 1 && Number(row.contextEnabled) === 1;
      // Every "no" path still spends one scrypt run, so timing does not tell why.
      if (!row || row.hash === null || (!enabled && options.includeDisabled !== true)) return dummyVerify(password);
      return verifyPasswordHash(password, row.hash);
    },

    async setConfig(contextId, userId, configChange: ConfigChange) {
      const { set, remove } = checkConfigChange(configChange, fail);
      const changes = new Map<string, string | null>();
      for (const [property, value] of set) changes.set(CONFIG_PREFIX + property, value);
      for (const property of remove) changes.set(CONFIG_PREFIX + property, null);
      return change(contextId, userId, (trx) => writeAttributes(trx, contextId, userId, changes));
    },

    async delete(contextId, userId) {
      await transaction(async (trx) => {
        const deleted = await trx.deleteFrom('keel_users').where('context_id', '=', contextId).where('id', '=', userId).executeTakeFirst();
        if (Number(deleted.numDeletedRows) === 0) await missing(trx, contextId, userId);
        await trx.deleteFrom('keel_user_addresses').where('context_id', '=', contextId).where('user_id', '=', userId).execute();
        await trx.deleteFrom('keel_user_attributes').where('context_id', '=', contextId).where('user_id', '=', userId).execute();
      });
      await events.usersDeleted(contextId, [userId]);
    },
  };
  return service;
}
