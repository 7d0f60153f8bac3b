// The default ContactStorage: personal folders in SQL plus the global address book from users.
import {
  CONTACT_SORT_FIELDS, GLOBAL_ADDRESS_BOOK_FOLDER_ID,
  type ContactCaller, type ContactStorage, type Database, type UserService,
} from '@keel/plugin-sdk';
import { folderNotFound, folderReadOnly } from './errors.js';
import { createGlobalAddressBook, globalAddressBookFolder, GLOBAL_ADDRESS_BOOK_NAME } from './global-address-book.js';
import { createPersonalContacts } from './personal-contacts.js';
import { createPersonalFolders, type PersonalFolders } from './personal-folders.js';
import type { ContactsDb } from './schema.js';
import { createSequences } from './sequences.js';

export interface SqlContactStorageOptions {
  database: Database;
  users: () => UserService;
}

export interface SqlContactStorage extends ContactStorage {
  readonly personalFolders: PersonalFolders;
}

export function createSqlContactStorage({ database, users }: SqlContactStorageOptions): SqlContactStorage {
  const sequences = createSequences(database.db as ContactsDb);
  const folders = createPersonalFolders(database, sequences);
  const contacts = createPersonalContacts(database, sequences);
  const gab = createGlobalAddressBook(users);
  const isGab = (folderId: string) => folderId === GLOBAL_ADDRESS_BOOK_FOLDER_ID;

  /** The caller's own folder id as a number; other users' folders do not exist for the caller. */
  async function ownFolder(caller: ContactCaller, folderId: string): Promise<number> {
    const row = await folders.find(caller, folderId);
    if (!row) throw folderNotFound(folderId);
    return Number(row.id);
  }

  async function writable(caller: ContactCaller, folderId: string): Promise<number> {
    if (isGab(folderId)) throw folderReadOnly(folderId, GLOBAL_ADDRESS_BOOK_NAME);
    return ownFolder(caller, folderId);
  }

  return {
    name: 'sql',
    capabilities: { readOnly: false, sortFields: CONTACT_SORT_FIELDS },
    personalFolders: folders,
    async folders(caller) {
      return [globalAddressBookFolder, ...(await folders.list(caller))];
    },
    async serves(caller, folderId) {
      return isGab(folderId) || (await folders.find(caller, folderId)) !== undefined;
    },
    async list(caller, folderId, options = {}) {
      if (isGab(folderId)) return gab.list(caller.contextId, options);
      return contacts.list(caller.contextId, await ownFolder(caller, folderId), options);
    },
    async search(caller, folderId, search) {
      if (isGab(folderId)) return gab.list(caller.contextId, search, search.pattern);
      return contacts.search(caller.contextId, await ownFolder(caller, folderId), search);
    },
    async get(caller, folderId, id) {
      if (isGab(folderId)) return gab.get(caller.contextId, id);
      return contacts.get(caller.contextId, await ownFolder(caller, folderId), id);
    },
    async create(caller, folderId, input) {
      return contacts.create(caller.contextId, await writable(caller, folderId), input);
    },
    async update(caller, folderId, id, changes, options = {}) {
      return contacts.update(caller.contextId, await writable(caller, folderId), id, changes, options);
    },
    async delete(caller, folderId, id, options = {}) {
      await contacts.delete(caller.contextId, await writable(caller, folderId), id, options);
    },
  };
}
