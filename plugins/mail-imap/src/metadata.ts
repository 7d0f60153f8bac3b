import type { ImapEndpoint } from '@keel/plugin-sdk';
import { commandRefused } from './errors.js';
import { serverOf, type ImapAttribute, type ParsedAttribute, type RawImap } from './imap-connection.js';

/** Strings that cannot go out as an IMAP quoted string (8-bit, CR/LF, long) are sent as literals. */
function stringAttribute(value: string): ImapAttribute {
  // eslint-disable-next-line no-control-regex
  return /^[\x20-\x7e]*$/.test(value) && value.length <= 1024 ? { type: 'STRING', value } : { type: 'LITERAL', value };
}

function requireMetadata(client: RawImap, endpoint: ImapEndpoint, command: string): void {
  if (client.capabilities.has('METADATA') || client.capabilities.has('METADATA-SERVER')) return;
  throw commandRefused(command, serverOf(endpoint), 'the server does not announce METADATA (Dovecot: imap_metadata = yes and a mail_attribute_dict)');
}

/** A tagged NO/BAD: the server understood and refused; anything else is the connection's trouble. */
function asRefusal(command: string, endpoint: ImapEndpoint, error: unknown): unknown {
  const failure = error as { responseStatus?: unknown; responseText?: unknown };
  if (failure.responseStatus !== 'NO' && failure.responseStatus !== 'BAD') return error;
  const text = typeof failure.responseText === 'string' && failure.responseText !== '' ? failure.responseText : String(failure.responseStatus);
  return commandRefused(command, serverOf(endpoint), text);
}

/** `SETMETADATA "" (<entry> <value>|NIL)` (RFC 5464) on the server annotations. */
export async function setServerMetadata(client: RawImap, endpoint: ImapEndpoint, entry: string, value: string | null): Promise<void> {
  requireMetadata(client, endpoint, 'SETMETADATA');
  try {
    await client.exec('SETMETADATA', [{ type: 'STRING', value: '' }, [{ type: 'ATOM', value: entry }, value === null ? null : stringAttribute(value)]]);
  } catch (error) {
    throw asRefusal('SETMETADATA', endpoint, error);
  }
}

function text(attribute: ParsedAttribute | undefined): string | undefined {
  if (attribute === null || attribute === undefined || Array.isArray(attribute)) return undefined;
  return Buffer.isBuffer(attribute.value) ? attribute.value.toString('utf8') : attribute.value;
}

/** `GETMETADATA "" (<entry>)`; undefined for NIL or an absent entry. */
export async function getServerMetadata(client: RawImap, endpoint: ImapEndpoint, entry: string): Promise<string | undefined> {
  requireMetadata(client, endpoint, 'GETMETADATA');
  let found: string | undefined;
  try {
    await client.exec('GETMETADATA', [{ type: 'STRING', value: '' }, [{ type: 'ATOM', value: entry }]], {
      untagged: {
        // * METADATA "" (/private/... "value") — entries and values alternate in the list.
        METADATA: (untagged) => {
          const list = untagged.attributes?.[1];
          if (!Array.isArray(list)) return;
          for (let i = 0; i + 1 < list.length; i += 2) {
            if (text(list[i])?.toLowerCase() === entry.toLowerCase()) found = text(list[i + 1]);
          }
        },
      },
    });
  } catch (error) {
    throw asRefusal('GETMETADATA', endpoint, error);
  }
  return found === '' ? undefined : found;
}
