import { addressParser, decodeWords } from 'postal-mime';
import type { MessageNewEvent } from './notify-event.js';

/** The `ox:mail:new` message data, keys in the original's order. */
export interface MailNewPayload {
  folder: string;
  id: string;
  email?: string;
  displayname?: string;
  subject?: string;
  unread?: number;
  teaser?: string;
}

type Parsed = ReturnType<typeof addressParser>[number];

/** The first mailbox of a From header (groups searched too), names and addresses RFC 2047-decoded. */
export function firstMailbox(from: string): { address: string; name: string } | undefined {
  const queue: Parsed[] = [...addressParser(from)];
  while (queue.length > 0) {
    const entry = queue.shift()!;
    if ('group' in entry && Array.isArray(entry.group)) {
      queue.unshift(...(entry.group as Parsed[]));
      continue;
    }
    const address = 'address' in entry && typeof entry.address === 'string' ? entry.address.trim() : '';
    // A parser's best effort on garbage ("<<<") is not an address.
    if (address !== '' && !/[\s<>]/.test(address)) return { address, name: (entry.name ?? '').trim() };
  }
  return undefined;
}

/**
 * Maps Dovecot's notification to the `ox:mail:new` payload: folder `default0/<folder>`, the UID as
 * a string, sender address and (non-empty) display name, decoded subject, unread count when known
 * and not negative, and the snippet as teaser.
 */
export function mailNewPayload(event: MessageNewEvent): MailNewPayload {
  const payload: MailNewPayload = { folder: `default0/${event.folder}`, id: String(event.uid) };
  if (event.from !== undefined) {
    const sender = firstMailbox(event.from);
    if (sender !== undefined) {
      payload.email = sender.address;
      if (sender.name !== '') payload.displayname = sender.name;
    }
  }
  if (event.subject !== undefined) payload.subject = decodeWords(event.subject);
  if (event.unseen !== undefined && event.unseen >= 0) payload.unread = event.unseen;
  if (event.snippet !== undefined) payload.teaser = event.snippet;
  return payload;
}
