// Personal contact folders: every user owns a default folder, created on first use.
import type { ContactCaller, ContactFolder, Database } from '@keel/plugin-sdk';
import type { ContactsDb, ContactTables } from './schema.js';
import type { Sequences } from './sequences.js';
import type { ContactsTrx } from './schema.js';

export const DEFAULT_FOLDER_NAME = 'Contacts';

type FolderRow = ContactTables['contacts_folders'];

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function toFolder(row: FolderRow): ContactFolder {
  return {
    id: String(row.id),
    name: row.name,
    type: 'private',
    readOnly: false,
    ownerId: Number(row.owner_id),
    ...(row.default_of !== null ? { isDefault: true } : {}),
  };
}

/** Personal folder ids are decimal numbers; anything else is not ours. */
export function parseFolderId(folderId: string): number | undefined {
  return /^[1-9]\d{0,9}$/.test(folderId) ? Number(folderId) : undefined;
}

export interface PersonalFolders {
  /** The caller's folders, the default one created when missing. */
  list(caller: ContactCaller): Promise<ContactFolder[]>;
  /** The caller's folder with that id, or undefined (other users' folders are invisible). */
  find(caller: ContactCaller, folderId: string): Promise<FolderRow | undefined>;
  /** Removes a user's folders and their contacts (the user was deleted). */
  removeOwner(contextId: number, userId: number): Promise<void>;
}

export function createPersonalFolders(database: Database, sequences: Sequences): PersonalFolders {
  const db = database.db as ContactsDb;
  const transaction = <T>(work: (trx: ContactsTrx) => Promise<T>): Promise<T> => database.transaction((trx) => work(trx as unknown as ContactsTrx));

  async function createDefault(caller: ContactCaller): Promise<void> {
    await sequences.prepare(caller.contextId, 'folder');
    try {
      await transaction(async (trx) => {
        const id = await sequences.next(trx, caller.contextId, 'folder');
        const now = Date.now();
        await trx.insertInto('contacts_folders').values({
          context_id: caller.contextId, id, owner_id: caller.userId, name: DEFAULT_FOLDER_NAME, default_of: caller.userId, created_at: now, last_modified: now,
        }).execute();
      });
    } catch (error) {
      // Two first requests of the same user raced: the other one created it.
      if (!isUniqueViolation(error)) throw error;
    }
  }

  async function ownFolders(caller: ContactCaller): Promise<FolderRow[]> {
    return db.selectFrom('contacts_folders').selectAll()
      .where('context_id', '=', caller.contextId).where('owner_id', '=', caller.userId)
      .orderBy('id').execute();
  }

  return {
    async list(caller) {
      let rows = await ownFolders(caller);
      if (!rows.some((row) => row.default_of !== null)) {
        await createDefault(caller);
        rows = await ownFolders(caller);
      }
      return rows.map(toFolder);
    },
    async find(caller, folderId) {
      const id = parseFolderId(folderId);
      if (id === undefined) return undefined;
      return db.selectFrom('contacts_folders').selectAll()
        .where('context_id', '=', caller.contextId).where('id', '=', id).where('owner_id', '=', caller.userId)
        .executeTakeFirst();
    },
    async removeOwner(contextId, userId) {
      await transaction(async (trx) => {
        const folders = await trx.selectFrom('contacts_folders').select('id').where('context_id', '=', contextId).where('owner_id', '=', userId).execute();
        const ids = folders.map((folder) => folder.id);
        if (ids.length === 0) return;
        const contacts = trx.selectFrom('contacts_entries').select('id').where('context_id', '=', contextId).where('folder_id', 'in', ids);
        await trx.deleteFrom('contacts_emails').where('context_id', '=', contextId).where('contact_id', 'in', contacts).execute();
        await trx.deleteFrom('contacts_entries').where('context_id', '=', contextId).where('folder_id', 'in', ids).execute();
        await trx.deleteFrom('contacts_folders').where('context_id', '=', contextId).where('id', 'in', ids).execute();
      });
    },
  };
}
