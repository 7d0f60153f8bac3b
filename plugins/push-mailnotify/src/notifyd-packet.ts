// Cyrus notifyd datagrams (lib/notify.c): every field NUL-terminated,
//   method \0 class \0 priority \0 user \0 mailbox \0 nopt \0 option_1 \0 … option_nopt \0 message \0
// e.g. "log\0MAIL\0\0postmaster\0INBOX\00\0From: root … Subject: hi\0". Parsed strictly: anything
// else is rejected with a reason, never thrown.

/** Cyrus refuses to send more (NOTIFY_MAXSIZE). */
export const MAX_PACKET_BYTES = 8192;
export const MAX_OPTIONS = 64;
export const MAX_USER_LENGTH = 255;
/** method, class, priority, user, mailbox, nopt, message */
const FIXED_FIELDS = 7;

export interface NotifydPacket {
  method: string;
  class: string;
  priority: string;
  user: string;
  mailbox: string;
  options: string[];
  message: string;
}

export type RejectReason = 'empty' | 'oversize' | 'unterminated' | 'not-utf8' | 'field-count' | 'nopt' | 'user';

export type ParseResult = { ok: true; packet: NotifydPacket } | { ok: false; reason: RejectReason };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseNotifydPacket(data: Uint8Array): ParseResult {
  if (data.length === 0) return { ok: false, reason: 'empty' };
  if (data.length > MAX_PACKET_BYTES) return { ok: false, reason: 'oversize' };
  if (data[data.length - 1] !== 0) return { ok: false, reason: 'unterminated' };
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return { ok: false, reason: 'not-utf8' };
  }
  const fields = text.slice(0, -1).split('\0');
  if (fields.length < FIXED_FIELDS) return { ok: false, reason: 'field-count' };
  const nopt = fields[5]!;
  if (!/^\d{1,2}$/.test(nopt) || Number(nopt) > MAX_OPTIONS) return { ok: false, reason: 'nopt' };
  if (fields.length !== FIXED_FIELDS + Number(nopt)) return { ok: false, reason: 'field-count' };
  const user = fields[3]!;
  // eslint-disable-next-line no-control-regex
  if (user === '' || user.length > MAX_USER_LENGTH || /[\u0000-\u001f\u007f\s]/.test(user)) return { ok: false, reason: 'user' };
  return {
    ok: true,
    packet: {
      method: fields[0]!, class: fields[1]!, priority: fields[2]!, user, mailbox: fields[4]!,
      options: fields.slice(6, -1), message: fields[fields.length - 1]!,
    },
  };
}

/** The mailbox name to match: the packet's user, cut at the first `delimiter` when one is configured. */
export function mailboxNameOf(user: string, delimiter: string | undefined): string {
  if (delimiter === undefined) return user;
  const at = user.indexOf(delimiter);
  return at >= 0 ? user.slice(0, at) : user;
}
