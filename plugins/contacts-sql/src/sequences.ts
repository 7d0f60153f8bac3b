// Per-context id counters. The update takes the row lock, so concurrent writers get distinct ids.
import type { ContactsDb, ContactsTrx } from './schema.js';

/** Ids below this are left to system folders (the global address book is 6). */
export const FIRST_ID = 100;

export type SequenceName = 'folder' | 'contact';

export interface Sequences {
  /**
   * Creates the counter row if missing, in its own statement BEFORE the caller's transaction:
   * an `insert ignore` inside it would hold a shared lock that deadlocks against a concurrent
   * writer's update on MySQL.
   */
  prepare(contextId: number, name: SequenceName): Promise<void>;
  /** The next id; call inside the transaction that uses it, after prepare. */
  next(trx: ContactsTrx, contextId: number, name: SequenceName): Promise<number>;
}

export function createSequences(db: ContactsDb): Sequences {
  const prepared = new Set<string>();
  return {
    async prepare(contextId, name) {
      const key = `${contextId}:${name}`;
      if (prepared.has(key)) return;
      // `insert ignore` (MySQL) / `insert or ignore` (SQLite): the first writer of a context creates the row.
      await db.insertInto('contacts_sequences').orIgnore().values({ context_id: contextId, name, value: FIRST_ID - 1 }).execute();
      prepared.add(key);
    },
    async next(trx, contextId, name) {
      await trx.updateTable('contacts_sequences')
        .set((eb) => ({ value: eb('value', '+', 1) }))
        .where('context_id', '=', contextId).where('name', '=', name)
        .execute();
      const row = await trx.selectFrom('contacts_sequences').select('value')
        .where('context_id', '=', contextId).where('name', '=', name)
        .executeTakeFirstOrThrow();
      return Number(row.value);
    },
  };
}
