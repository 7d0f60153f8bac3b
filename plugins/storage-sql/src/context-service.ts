// ContextService on the directory tables.
import type { ConfigChange, Context, ContextCreate, ContextService, ContextUpdate, Database, Page } from '@keel/plugin-sdk';
import type { Kysely, Transaction } from 'kysely';
import type { DirectoryEvents } from './directory-events.js';
import { loadContext, loadContexts } from './directory-rows.js';
import { CONTEXT_SEQUENCE, type DirectoryTables } from './directory-schema.js';
import { duplicateContext, invalidContextInput, isUniqueViolation, unknownContext } from './errors.js';
import {
  CONFIG_PREFIX, LIMITS, MAX_ID, checkAttributes, checkBoolean, checkConfigChange, checkId, checkPage, checkStringList, checkText, checkToken, describe,
} from './validation.js';

type Trx = Transaction<DirectoryTables>;

export interface ContextServiceOptions {
  database: Database;
  events: DirectoryEvents;
  /** `keel.login.defaultContext`, read on each call so a reload counts. */
  defaultContextId(): number | undefined;
}

const fail = invalidContextInput;
const CREATE_KEYS = new Set(['id', 'name', 'loginMappings', 'enabled', 'attributes']);
const UPDATE_KEYS = new Set(['name', 'loginMappings', 'enabled', 'attributes']);

function checkKeys(input: unknown, allowed: ReadonlySet<string>, what: string): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw fail(`${what} must be an object, got ${describe(input)}`);
  for (const key of Object.keys(input)) if (!allowed.has(key)) throw fail(`unknown field '${key}' in ${what} (allowed: ${[...allowed].join(', ')})`, [key]);
  return input as Record<string, unknown>;
}

/** Login mappings are names such as domains: lower-cased, unique, without spaces or '@' (it separates login and mapping). */
function checkMappings(value: unknown): string[] {
  const mappings = new Set<string>();
  for (const entry of checkStringList(value, 'loginMappings', LIMITS.loginMappings, fail)) {
    const mapping = checkToken(entry, 'login mapping', LIMITS.loginMapping, fail);
    if (mapping.includes('@')) throw fail(`login mapping '${mapping}' must not contain '@'`, [mapping]);
    mappings.add(mapping.toLowerCase());
  }
  return [...mappings];
}

export function createContextService(options: ContextServiceOptions): ContextService {
  const { database, events } = options;
  const db = database.db as Kysely<DirectoryTables>;
  const transaction = <T>(work: (trx: Trx) => Promise<T>): Promise<T> => database.transaction((trx) => work(trx as Trx));

  async function assertMappingsFree(trx: Trx, mappings: readonly string[], contextId: number): Promise<void> {
    if (mappings.length === 0) return;
    const taken = await trx.selectFrom('keel_context_mappings').select(['mapping', 'context_id'])
      .where('mapping', 'in', mappings).where('context_id', '<>', contextId).executeTakeFirst();
    if (taken) throw duplicateContext(`Login mapping '${taken.mapping}' is already used by context ${taken.context_id}`, [taken.mapping, taken.context_id]);
  }

  async function writeMappings(trx: Trx, contextId: number, mappings: readonly string[]): Promise<void> {
    await trx.deleteFrom('keel_context_mappings').where('context_id', '=', contextId).execute();
    if (mappings.length > 0) await trx.insertInto('keel_context_mappings').values(mappings.map((mapping) => ({ mapping, context_id: contextId }))).execute();
  }

  async function writeAttributes(trx: Trx, contextId: number, changes: ReadonlyMap<string, string | null>): Promise<void> {
    const names = [...changes.keys()];
    if (names.length === 0) return;
    await trx.deleteFrom('keel_context_attributes').where('context_id', '=', contextId).where('name', 'in', names).execute();
    const rows = [...changes].filter((entry): entry is [string, string] => entry[1] !== null).map(([name, value]) => ({ context_id: contextId, name, value }));
    if (rows.length > 0) await trx.insertInto('keel_context_attributes').values(rows).execute();
  }

  /** Takes the context's row lock (MySQL) and proves it exists; every change starts here. */
  async function lockContext(trx: Trx, contextId: number): Promise<void> {
    const result = await trx.updateTable('keel_contexts').set((eb) => ({ user_seq: eb.ref('user_seq') })).where('id', '=', contextId).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw unknownContext(contextId);
  }

  function translate(error: unknown): unknown {
    return isUniqueViolation(error) ? duplicateContext('The context id or a login mapping was taken by a concurrent change; try again') : error;
  }

  async function change(contextId: number, work: (trx: Trx) => Promise<void>): Promise<Context> {
    let context: Context;
    try {
      context = await transaction(async (trx) => {
        await lockContext(trx, contextId);
        await work(trx);
        return (await loadContext(trx, contextId))!;
      });
    } catch (error) {
      throw translate(error);
    }
    await events.contextChanged(contextId);
    return context;
  }

  const service: ContextService = {
    async create(input: ContextCreate): Promise<Context> {
      const fields = checkKeys(input, CREATE_KEYS, 'the context');
      const requestedId = fields['id'] === undefined ? undefined : checkId(fields['id'], 'id', fail);
      const name = checkText(fields['name'], 'name', LIMITS.name, fail);
      const mappings = fields['loginMappings'] === undefined ? [] : checkMappings(fields['loginMappings']);
      const enabled = fields['enabled'] === undefined ? true : checkBoolean(fields['enabled'], 'enabled', fail);
      const attributes = fields['attributes'] === undefined ? new Map<string, string>() : checkAttributes(fields['attributes'], fail, false);
      let context: Context;
      try {
        context = await transaction(async (trx) => {
          // Updating the sequence row first serializes context creation across nodes.
          await trx.updateTable('keel_sequences').set((eb) => ({ value: eb('value', '+', 1) })).where('name', '=', CONTEXT_SEQUENCE).execute();
          let id = requestedId;
          if (id === undefined) {
            const row = await trx.selectFrom('keel_contexts').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
            id = Number(row?.max ?? 0) + 1;
            if (id > MAX_ID) throw fail(`no context id left above ${MAX_ID - 1}; give an id`);
          } else if (await trx.selectFrom('keel_contexts').select('id').where('id', '=', id).executeTakeFirst()) {
            throw duplicateContext(`Context ${id} already exists`, [id]);
          }
          await assertMappingsFree(trx, mappings, id);
          await trx.insertInto('keel_contexts').values({ id, name, enabled: enabled ? 1 : 0, user_seq: 0 }).execute();
          await writeMappings(trx, id, mappings);
          await writeAttributes(trx, id, attributes);
          return (await loadContext(trx, id))!;
        });
      } catch (error) {
        throw translate(error);
      }
      // The cascade may have cached this id as unknown.
      await events.contextChanged(context.id);
      return context;
    },

    get(contextId) {
      return loadContext(db, contextId);
    },

    async require(contextId) {
      const context = await loadContext(db, contextId);
      if (!context) throw unknownContext(contextId);
      return context;
    },

    async list(page?: Page) {
      const { offset, limit } = checkPage(page, fail);
      const ids = await db.selectFrom('keel_contexts').select('id').orderBy('id').limit(limit).offset(offset).execute();
      return loadContexts(db, ids.map((row) => row.id));
    },

    async update(contextId, update: ContextUpdate) {
      const fields = checkKeys(update, UPDATE_KEYS, 'the context update');
      const name = fields['name'] === undefined ? undefined : checkText(fields['name'], 'name', LIMITS.name, fail);
      const mappings = fields['loginMappings'] === undefined ? undefined : checkMappings(fields['loginMappings']);
      const enabled = fields['enabled'] === undefined ? undefined : checkBoolean(fields['enabled'], 'enabled', fail);
      const attributes = fields['attributes'] === undefined ? undefined : checkAttributes(fields['attributes'], fail, true);
      return change(contextId, async (trx) => {
        if (name !== undefined || enabled !== undefined) {
          await trx.updateTable('keel_contexts')
            .set({ ...(name === undefined ? {} : { name }), ...(enabled === undefined ? {} : { enabled: enabled ? 1 : 0 }) })
            .where('id', '=', contextId).execute();
        }
        if (mappings !== undefined) {
          await assertMappingsFree(trx, mappings, contextId);
          await writeMappings(trx, contextId, mappings);
        }
        if (attributes !== undefined) await writeAttributes(trx, contextId, attributes);
      });
    },

    async setConfig(contextId, configChange: ConfigChange) {
      const { set, remove } = checkConfigChange(configChange, fail);
      const changes = new Map<string, string | null>();
      for (const [property, value] of set) changes.set(CONFIG_PREFIX + property, value);
      for (const property of remove) changes.set(CONFIG_PREFIX + property, null);
      return change(contextId, (trx) => writeAttributes(trx, contextId, changes));
    },

    async delete(contextId) {
      const userIds = await transaction(async (trx) => {
        // Deleting the context row first locks it: a user created concurrently then finds no context.
        const deleted = await trx.deleteFrom('keel_contexts').where('id', '=', contextId).executeTakeFirst();
        if (Number(deleted.numDeletedRows) === 0) throw unknownContext(contextId);
        const users = await trx.selectFrom('keel_users').select('id').where('context_id', '=', contextId).orderBy('id').execute();
        for (const table of ['keel_user_attributes', 'keel_user_addresses', 'keel_users', 'keel_context_attributes', 'keel_context_mappings'] as const) {
          await trx.deleteFrom(table).where('context_id', '=', contextId).execute();
        }
        return users.map((row) => row.id);
      });
      await events.usersDeleted(contextId, userIds);
      await events.contextChanged(contextId);
    },

    async findByLoginMapping(mapping) {
      if (typeof mapping !== 'string' || mapping === '') return undefined;
      const row = await db.selectFrom('keel_context_mappings').select('context_id').where('mapping', '=', mapping.toLowerCase()).executeTakeFirst();
      return row ? loadContext(db, row.context_id) : undefined;
    },

    async defaultContext() {
      const configured = options.defaultContextId();
      if (configured !== undefined) return loadContext(db, configured);
      return service.findByLoginMapping('defaultcontext');
    },
  };
  return service;
}
