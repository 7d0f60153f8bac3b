import { badBody, badField } from './errors.js';

/** A `messageNew` notification of Dovecot's OX push driver, checked. */
export interface MessageNewEvent {
  /** `<uid>@<cid>` (user_from_metadata), or the IMAP login. */
  user: string;
  folder: string;
  uid: number;
  uidValidity?: number;
  from?: string;
  subject?: string;
  snippet?: string;
  unseen?: number;
}

export type NotifyEvent = { kind: 'messageNew'; event: MessageNewEvent } | { kind: 'ignored'; event: string };

/** The parsed JSON body, or the raw bytes when the sender used another content type. */
function objectOf(body: unknown, raw: Buffer | undefined): Record<string, unknown> {
  let value = body;
  if (value === undefined || value === null || Buffer.isBuffer(value)) {
    const bytes = Buffer.isBuffer(value) ? value : raw;
    const text = bytes?.toString('utf8').trim() ?? '';
    if (text === '') throw badBody('the body is empty (expected a JSON object)');
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw badBody(`not JSON (${(error as Error).message})`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badBody(`expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  return value as Record<string, unknown>;
}

function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badField(`${name} must be a string`);
  return value;
}

function optionalInteger(input: Record<string, unknown>, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw badField(`${name} must be an integer`);
  return value;
}

/**
 * Checks a notify body. Events other than `messageNew` are answered and ignored (Dovecot also
 * knows flag changes, expunges …); a `messageNew` needs `user`, `folder` and `imap-uid`.
 */
export function parseNotifyEvent(body: unknown, raw: Buffer | undefined): NotifyEvent {
  const input = objectOf(body, raw);
  const event = input['event'];
  if (event === undefined || event === null || event === '') throw badField('missing field event');
  if (typeof event !== 'string') throw badField('event must be a string');
  if (event !== 'messageNew') return { kind: 'ignored', event };

  const missing = ['user', 'folder', 'imap-uid'].filter((name) => input[name] === undefined || input[name] === null || input[name] === '');
  if (missing.length > 0) throw badField(`missing field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  const user = input['user'];
  const folder = input['folder'];
  if (typeof user !== 'string') throw badField('user must be a string');
  if (typeof folder !== 'string') throw badField('folder must be a string');
  const uid = optionalInteger(input, 'imap-uid')!;
  if (uid <= 0) throw badField('imap-uid must be a positive integer');

  const parsed: MessageNewEvent = { user: user.trim(), folder, uid };
  const uidValidity = optionalInteger(input, 'imap-uidvalidity');
  const from = optionalString(input, 'from');
  const subject = optionalString(input, 'subject');
  const snippet = optionalString(input, 'snippet');
  const unseen = optionalInteger(input, 'unseen');
  if (uidValidity !== undefined) parsed.uidValidity = uidValidity;
  if (from !== undefined) parsed.from = from;
  if (subject !== undefined) parsed.subject = subject;
  if (snippet !== undefined) parsed.snippet = snippet;
  if (unseen !== undefined) parsed.unseen = unseen;
  return { kind: 'messageNew', event: parsed };
}
