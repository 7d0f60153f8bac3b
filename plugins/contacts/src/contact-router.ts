// Picks, per folder and per request, the storage with the highest ranking that serves the folder.
import type { ContactCaller, ContactFolder, ContactStorage, Logger, ServiceTracker } from '@keel/plugin-sdk';
import { folderNotFound } from './errors.js';

export interface RoutedFolder {
  folder: ContactFolder;
  storage: ContactStorage;
}

export interface FolderListing {
  folders: RoutedFolder[];
  /** Storages whose folder listing failed (their folders are missing from `folders`). */
  failures: Array<{ storage: string; error: unknown }>;
}

export interface ContactRouter {
  /** The storage handling `folderId` for the caller; CON-0001 (404) when none serves it. */
  storageFor(caller: ContactCaller, folderId: string): Promise<ContactStorage>;
  /** Every folder visible to the caller, each with the storage that handles it. */
  folders(caller: ContactCaller): Promise<FolderListing>;
}

/**
 * The tracker is read on every call, never cached: storages come and go while the module runs
 * (contacts-ldap enabled on reload, stopped by an operator), and the answer must follow at once.
 */
export function createContactRouter(storages: ServiceTracker<ContactStorage>, logger: Logger): ContactRouter {
  /** Storages in ranking order, highest first (ties: registered first). */
  const ranked = () => storages.all();

  async function storageFor(caller: ContactCaller, folderId: string): Promise<ContactStorage> {
    for (const storage of ranked()) {
      if (await storage.serves(caller, folderId)) return storage;
    }
    throw folderNotFound(folderId);
  }

  async function folders(caller: ContactCaller): Promise<FolderListing> {
    const order = ranked();
    const listed = await Promise.allSettled(order.map((storage) => storage.folders(caller)));
    const result: RoutedFolder[] = [];
    const failures: FolderListing['failures'] = [];
    const seen = new Set<string>();
    for (const [index, outcome] of listed.entries()) {
      const storage = order[index]!;
      if (outcome.status === 'rejected') {
        logger.warn({ storage: storage.name, err: { message: (outcome.reason as Error)?.message } }, `contact storage ${storage.name} could not list its folders`);
        failures.push({ storage: storage.name, error: outcome.reason });
        continue;
      }
      for (const folder of outcome.value) {
        if (seen.has(folder.id)) continue;
        // A higher-ranked storage may serve this folder without listing it (its listing failed):
        // then it is that storage's folder, and this one's copy must not show.
        const higher = order.slice(0, index);
        const shadowed = (await Promise.all(higher.map((other) => other.serves(caller, folder.id).catch(() => true)))).some(Boolean);
        if (shadowed) continue;
        seen.add(folder.id);
        result.push({ folder, storage });
      }
    }
    return { folders: result, failures };
  }

  return { storageFor, folders };
}
