// `export?action=VCARD&folder=…[&version=3.0|4.0]`: a folder as a .vcf file, streamed page by page.
import type { ContactCaller, ContactStorage, HttpService, Logger, SessionService } from '@keel/plugin-sdk';
import { callerOf } from './caller.js';
import type { ContactRouter } from './contact-router.js';
import { badParameter } from './errors.js';
import { requiredParam } from './request-params.js';
import { contactToVCard, type VCardVersion } from './vcard.js';

// The largest page every storage must accept (ContactListOptions.limit: "at least 1000").
const PAGE_SIZE = 1000;

export interface ExportModuleOptions {
  http: HttpService;
  router: ContactRouter;
  sessions: () => SessionService;
  logger: Logger;
}

/** A file name for Content-Disposition: the folder name in ASCII, and RFC 5987 for the rest. */
function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\/;]/g, '_').trim() || 'contacts';
  return `attachment; filename="${ascii}.vcf"; filename*=UTF-8''${encodeURIComponent(`${name}.vcf`)}`;
}

async function folderName(router: ContactRouter, caller: ContactCaller, folderId: string): Promise<string> {
  const listing = await router.folders(caller).catch(() => undefined);
  return listing?.folders.find(({ folder }) => folder.id === folderId)?.folder.name ?? `folder-${folderId}`;
}

export function registerExportModule({ http, router, sessions, logger }: ExportModuleOptions): void {
  http.action({
    module: 'export',
    action: 'VCARD',
    methods: ['GET', 'POST', 'PUT'],
    async handler(request, reply) {
      const { caller } = await callerOf(sessions(), request);
      const folder = requiredParam(request, 'folder');
      const version = (request.query['version'] ?? '3.0') as VCardVersion;
      if (version !== '3.0' && version !== '4.0') throw badParameter('version', 'must be 3.0 or 4.0');
      const storage: ContactStorage = await router.storageFor(caller, folder);
      // The first page is read before any byte is sent, so a folder that fails (LDAP down)
      // still answers a proper error envelope.
      let page = await storage.list(caller, folder, { offset: 0, limit: PAGE_SIZE });
      const name = await folderName(router, caller, folder);
      const response = reply
        .header('content-type', `text/vcard; charset=utf-8${version === '4.0' ? '; version=4.0' : ''}`)
        .header('content-disposition', disposition(name))
        .header('cache-control', 'no-store')
        .raw();
      try {
        for (let offset = 0; ; ) {
          for (const contact of page.contacts) response.write(contactToVCard(contact, version));
          offset += page.contacts.length;
          if (page.contacts.length < PAGE_SIZE || (page.total !== undefined && offset >= page.total)) break;
          page = await storage.list(caller, folder, { offset, limit: PAGE_SIZE });
        }
        response.end();
      } catch (error) {
        // Headers are gone: all that is left is cutting the download short, so the client sees it failed.
        logger.error({ folder, err: { message: (error as Error)?.message } }, 'vCard export failed midway');
        response.destroy(error as Error);
      }
      return undefined;
    },
  });
}
