// The ox:mail:new payload (protocols.md §1 table): folder, id, email, displayname, subject, unread, teaser.

export const MAIL_NEW_TOPIC = 'ox:mail:new';

export interface NewMessage {
  uid: number;
  from?: { name?: string | undefined; address?: string | undefined } | undefined;
  subject?: string | undefined;
  teaser?: string | undefined;
}

/** `default0/` + the IMAP folder, as the App Suite UI names folders of the primary account. */
export function folderId(folder: string): string {
  return `default0/${folder}`;
}

export function mailNewPayload(folder: string, message: NewMessage, unread: number | undefined): Record<string, unknown> {
  const payload: Record<string, unknown> = { folder: folderId(folder), id: String(message.uid) };
  const address = message.from?.address?.trim();
  if (address) payload['email'] = address;
  const name = message.from?.name?.trim();
  if (name) payload['displayname'] = name;
  if (message.subject !== undefined) payload['subject'] = message.subject;
  if (unread !== undefined && unread >= 0) payload['unread'] = unread;
  if (message.teaser) payload['teaser'] = message.teaser;
  return payload;
}

/** pushMode `always`: something other than new mail changed (expunge, flags); only the folder is known. */
export function folderChangedPayload(folder: string): Record<string, unknown> {
  return { folder: folderId(folder) };
}
