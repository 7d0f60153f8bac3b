// The user and context scopes of the config cascade, read from the directory's attributes.
import type { ConfigScopeProvider, Database } from '@keel/plugin-sdk';
import type { Kysely } from 'kysely';
import type { DirectoryTables } from './directory-schema.js';
import { CONFIG_PREFIX } from './validation.js';

/** The attribute holding a context's tags, matched by context sets (`withTags`). */
export const TAGS_ATTRIBUTE = 'taxonomy/types';

/** Tags are separated by commas and/or white space: `gold, eu` or `gold eu`. */
export function parseTags(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(/[\s,]+/u).filter((tag) => tag !== '');
}

/**
 * No caching here: the cascade caches per subject and the directory invalidates it on every change,
 * so a second cache would only add a place for stale values.
 */
export function createConfigScopeProvider(database: Database): ConfigScopeProvider {
  const db = database.db as Kysely<DirectoryTables>;
  return {
    async loadContext(contextId) {
      const context = await db.selectFrom('keel_contexts').select('id').where('id', '=', contextId).executeTakeFirst();
      if (!context) return undefined;
      const rows = await db.selectFrom('keel_context_attributes').select(['name', 'value']).where('context_id', '=', contextId)
        .where((eb) => eb.or([eb('name', 'like', `${CONFIG_PREFIX}%`), eb('name', '=', TAGS_ATTRIBUTE)])).execute();
      const properties = new Map<string, string>();
      let tags: string | undefined;
      for (const { name, value } of rows) {
        if (name === TAGS_ATTRIBUTE) tags = value;
        // SQLite's LIKE ignores case: `Config/x` is a free attribute, not a config value.
        else if (name.startsWith(CONFIG_PREFIX)) properties.set(name.slice(CONFIG_PREFIX.length), value);
      }
      return { properties, tags: parseTags(tags) };
    },

    async loadUser(contextId, userId) {
      const user = await db.selectFrom('keel_users').select('id').where('context_id', '=', contextId).where('id', '=', userId).executeTakeFirst();
      if (!user) return undefined;
      const rows = await db.selectFrom('keel_user_attributes').select(['name', 'value'])
        .where('context_id', '=', contextId).where('user_id', '=', userId).where('name', 'like', `${CONFIG_PREFIX}%`).execute();
      return new Map(rows.filter(({ name }) => name.startsWith(CONFIG_PREFIX)).map(({ name, value }) => [name.slice(CONFIG_PREFIX.length), value]));
    },
  };
}
