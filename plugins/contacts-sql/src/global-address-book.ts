// The global address book (folder 6): every enabled user of the caller's context, read-only.
import {
  compareContacts, contactMatchesPattern, GLOBAL_ADDRESS_BOOK_FOLDER_ID, parseContactPattern, patternMatchesNothing,
  type Contact, type ContactFolder, type ContactListOptions, type ContactPage, type User, type UserService,
} from '@keel/plugin-sdk';
import { MAX_LIMIT } from './personal-contacts.js';

export const GLOBAL_ADDRESS_BOOK_NAME = 'Global address book';

export const globalAddressBookFolder: ContactFolder = Object.freeze({
  id: GLOBAL_ADDRESS_BOOK_FOLDER_ID,
  name: GLOBAL_ADDRESS_BOOK_NAME,
  type: 'public',
  readOnly: true,
});

/** Optional contact details a provisioning system may put into user attributes. */
const ATTRIBUTE_FIELDS = ['givenName', 'surname', 'company', 'department', 'position'] as const;

export function userToContact(user: User): Contact {
  const contact: Contact = {
    id: String(user.id),
    folderId: GLOBAL_ADDRESS_BOOK_FOLDER_ID,
    userId: user.id,
    displayName: user.displayName,
    emails: [user.email, ...user.aliases],
    phones: [],
    addresses: [],
    categories: [],
    // The directory keeps no modification time.
    lastModified: 0,
  };
  for (const field of ATTRIBUTE_FIELDS) {
    const value = user.attributes[`contact/${field}`];
    if (value !== undefined && value !== '') contact[field] = value;
  }
  return contact;
}

export interface GlobalAddressBook {
  list(contextId: number, options: ContactListOptions, pattern?: string): Promise<ContactPage>;
  get(contextId: number, id: string): Promise<Contact | undefined>;
}

/**
 * Reads users through the UserService (storage-sql owns their tables). A context's users are
 * streamed in batches, filtered and sorted in memory: a context holds thousands, not millions.
 */
export function createGlobalAddressBook(users: () => UserService): GlobalAddressBook {
  return {
    async list(contextId, options, pattern) {
      if (pattern !== undefined && patternMatchesNothing(pattern)) return { contacts: [], total: 0 };
      const parts = pattern === undefined ? undefined : parseContactPattern(pattern);
      const matches: Contact[] = [];
      for await (const user of users().stream(contextId)) {
        if (!user.enabled) continue;
        const contact = userToContact(user);
        if (parts === undefined || contactMatchesPattern(contact, parts)) matches.push(contact);
      }
      matches.sort(compareContacts(options.sort));
      const offset = Math.max(0, Math.floor(options.offset ?? 0));
      const limit = Math.min(MAX_LIMIT, Math.max(0, Math.floor(options.limit ?? MAX_LIMIT)));
      return { contacts: matches.slice(offset, offset + limit), total: matches.length };
    },
    async get(contextId, id) {
      if (!/^[1-9]\d{0,9}$/.test(id)) return undefined;
      const user = await users().get(contextId, Number(id));
      return user?.enabled ? userToContact(user) : undefined;
    },
  };
}
