// The `contacts` module: all, list, get, search, new, update, delete and folders, each for the
// session's user and routed per folder to the storage that handles it.
import {
  compareContacts, isKeelError,
  type Contact, type ContactCaller, type ContactPage, type HttpReply, type HttpRequest, type HttpService, type Logger, type SessionService,
} from '@keel/plugin-sdk';
import { callerOf } from './caller.js';
import { parseColumns, toRow } from './columns.js';
import { contactToJson, jsonToContactChanges, jsonToContactInput } from './contact-json.js';
import type { ContactRouter } from './contact-router.js';
import { badBody, badParameter, contactNotFound } from './errors.js';
import { idPairs, jsonObject, pageParams, requiredParam, sortParam, timestampParam } from './request-params.js';

export interface ContactsModuleOptions {
  http: HttpService;
  router: ContactRouter;
  sessions: () => SessionService;
  logger: Logger;
}

interface Warning {
  error: string;
  code: string;
  error_params: readonly unknown[];
  /** App Suite's category for warnings. */
  category: 13;
}

function warningOf(error: unknown, folderId?: string): Warning {
  if (isKeelError(error)) return { error: error.message, code: error.code, error_params: error.params, category: 13 };
  return { error: `Contact folder ${folderId ?? ''} could not be read`.trim(), code: 'CON-0012', error_params: folderId ? [folderId] : [], category: 13 };
}

/**
 * Answers `{data}` like any action, plus `warnings` when some folders failed while the others
 * answered (e.g. an LDAP folder while the directory is down).
 */
function answer(reply: HttpReply, data: unknown, warnings: readonly Warning[]): unknown {
  if (warnings.length === 0) return data;
  reply.header('content-type', 'application/json; charset=utf-8').raw().end(JSON.stringify({ data, warnings }));
  return undefined;
}

function render(contacts: readonly Contact[], columns: readonly number[] | undefined): unknown[] {
  return contacts.map((contact) => (columns ? toRow(contactToJson(contact), columns) : contactToJson(contact)));
}

export function registerContactsModule({ http, router, sessions, logger }: ContactsModuleOptions): void {
  const action = (name: string, handler: (request: HttpRequest, reply: HttpReply, caller: ContactCaller) => Promise<unknown>) => {
    http.action({
      module: 'contacts',
      action: name,
      async handler(request, reply) {
        const { caller } = await callerOf(sessions(), request);
        return handler(request, reply, caller);
      },
    });
  };

  action('folders', async (_request, reply, caller) => {
    const { folders, failures } = await router.folders(caller);
    const data = folders.map(({ folder }) => ({
      id: folder.id,
      title: folder.name,
      module: 'contacts',
      type: folder.type,
      read_only: folder.readOnly,
      standard_folder: folder.isDefault === true,
      ...(folder.ownerId !== undefined ? { created_by: folder.ownerId } : {}),
    }));
    return answer(reply, data, failures.map(({ error }) => warningOf(error)));
  });

  action('all', async (request, _reply, caller) => {
    const folder = requiredParam(request, 'folder');
    const storage = await router.storageFor(caller, folder);
    const sort = sortParam(request);
    const page = await storage.list(caller, folder, { ...pageParams(request), ...(sort ? { sort } : {}) });
    return render(page.contacts, parseColumns(request.query['columns']));
  });

  action('get', async (request, _reply, caller) => {
    const folder = requiredParam(request, 'folder');
    const id = requiredParam(request, 'id');
    const contact = await (await router.storageFor(caller, folder)).get(caller, folder, id);
    if (!contact) throw contactNotFound(folder, id);
    return contactToJson(contact);
  });

  action('list', async (request, _reply, caller) => {
    const pairs = idPairs(request);
    if (pairs.length > 1000) throw badBody('lists more than 1000 contacts');
    const contacts = await Promise.all(pairs.map(async ({ id, folder }) => (await router.storageFor(caller, folder)).get(caller, folder, id)));
    // Like App Suite: contacts that no longer exist are left out.
    return render(contacts.filter((contact): contact is Contact => contact !== undefined), parseColumns(request.query['columns']));
  });

  action('search', async (request, reply, caller) => {
    const body = typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : {};
    const pattern = body['pattern'] ?? request.query['pattern'] ?? '';
    if (typeof pattern !== 'string') throw badBody('"pattern" must be a string');
    const requested = body['folder'] ?? body['folders'] ?? request.query['folder'];
    const explicit = requested === undefined ? undefined : (Array.isArray(requested) ? requested : String(requested).split(',')).map(String).filter(Boolean);
    const sort = sortParam(request);
    const { offset, limit } = pageParams(request);
    const folderIds = explicit ?? (await router.folders(caller)).folders.map(({ folder }) => folder.id);

    const warnings: Warning[] = [];
    const pages = await Promise.all(folderIds.map(async (folderId): Promise<ContactPage | undefined> => {
      try {
        const storage = await router.storageFor(caller, folderId);
        // Each folder answers its first offset+limit; the merge below picks the page across folders.
        return await storage.search(caller, folderId, { pattern, offset: 0, limit: offset + limit, ...(sort ? { sort } : {}) });
      } catch (error) {
        // A folder the client named fails the request; one it did not name becomes a warning.
        if (explicit) throw error;
        logger.warn({ folder: folderId, err: { message: (error as Error)?.message } }, 'contact search skipped a folder');
        warnings.push(warningOf(error, folderId));
        return undefined;
      }
    }));
    const merged = pages.flatMap((page) => page?.contacts ?? []).sort(compareContacts(sort));
    return answer(reply, render(merged.slice(offset, offset + limit), parseColumns(request.query['columns'])), warnings);
  });

  action('new', async (request, _reply, caller) => {
    const body = jsonObject(request);
    const folder = body['folder_id'] ?? body['folder'] ?? request.query['folder'];
    if (typeof folder !== 'string' && typeof folder !== 'number') throw badBody('needs "folder_id": the folder to create the contact in');
    const storage = await router.storageFor(caller, String(folder));
    const contact = await storage.create(caller, String(folder), jsonToContactInput(body));
    return { id: contact.id, folder_id: contact.folderId, last_modified: contact.lastModified };
  });

  action('update', async (request, _reply, caller) => {
    const folder = requiredParam(request, 'folder');
    const id = requiredParam(request, 'id');
    const body = jsonObject(request);
    const target = body['folder_id'] ?? body['folder'];
    if (target !== undefined && String(target) !== folder) throw badParameter('folder_id', 'cannot move a contact to another folder');
    const storage = await router.storageFor(caller, folder);
    const existing = await storage.get(caller, folder, id);
    if (!existing) throw contactNotFound(folder, id);
    // Without a client timestamp, the version just read guards against a write in between.
    const ifUnmodifiedSince = timestampParam(request) ?? existing.lastModified;
    const updated = await storage.update(caller, folder, id, jsonToContactChanges(existing, body), { ifUnmodifiedSince });
    return { id: updated.id, folder_id: updated.folderId, last_modified: updated.lastModified };
  });

  action('delete', async (request, _reply, caller) => {
    const timestamp = timestampParam(request);
    for (const { id, folder } of idPairs(request)) {
      const storage = await router.storageFor(caller, folder);
      await storage.delete(caller, folder, id, timestamp !== undefined ? { ifUnmodifiedSince: timestamp } : {});
    }
    // App Suite answers the ids it could not delete; failures throw instead.
    return [];
  });
}
