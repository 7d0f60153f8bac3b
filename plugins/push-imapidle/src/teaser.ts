// The `teaser` of an ox:mail:new notification: the first ~200 characters of a message's text,
// from a partial BODY.PEEK of its first text/plain (else text/html) part.

export const TEASER_LENGTH = 200;
/** Bytes fetched: enough for 200 characters of multi-byte or encoded text, little enough to stay cheap. */
export const TEASER_FETCH_BYTES = 1024;

/** The parts of imapflow's BODYSTRUCTURE node this needs. */
export interface StructureNode {
  part?: string | undefined;
  type: string;
  parameters?: { [key: string]: string } | undefined;
  encoding?: string | undefined;
  disposition?: string | undefined;
  childNodes?: StructureNode[] | undefined;
}

export interface TextPart {
  /** IMAP section: `1` for a single-part message, else the part number. */
  section: string;
  type: 'text/plain' | 'text/html';
  encoding: string;
  charset: string;
}

/** The first inline text/plain part, else the first inline text/html part; undefined when there is no text. */
export function findTextPart(root: StructureNode | undefined): TextPart | undefined {
  if (root === undefined) return undefined;
  let html: TextPart | undefined;
  const visit = (node: StructureNode, depth: number): TextPart | undefined => {
    if (depth > 16) return undefined;
    const type = node.type.toLowerCase();
    if (type.startsWith('multipart/')) {
      for (const child of node.childNodes ?? []) {
        const found = visit(child, depth + 1);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    if (node.disposition?.toLowerCase() === 'attachment') return undefined;
    if (type !== 'text/plain' && type !== 'text/html') return undefined;
    const part: TextPart = {
      // A non-multipart message has no part number; its body is section 1 (RFC 3501 6.4.5).
      section: node.part ?? '1',
      type,
      encoding: (node.encoding ?? '7bit').toLowerCase(),
      charset: (node.parameters?.['charset'] ?? 'utf-8').toLowerCase(),
    };
    if (type === 'text/plain') return part;
    html ??= part;
    return undefined;
  };
  return visit(root, 0) ?? html;
}

function decodeQuotedPrintable(input: Buffer): Buffer {
  const text = input.toString('latin1').replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (char === '=' && i >= text.length - 2) {
      break; // an escape cut off by the partial fetch
    } else {
      bytes.push(char.charCodeAt(0) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

function decodeBase64(input: Buffer): Buffer {
  const clean = input.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, '');
  // A partial fetch may cut a quantum: decode only whole 4-character groups.
  return Buffer.from(clean.slice(0, clean.length - (clean.length % 4)), 'base64');
}

function decodeCharset(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/**
 * The teaser from a (possibly cut) part body: transfer decoding unless the server already did it
 * (FETCH BINARY), charset, tags stripped for HTML, whitespace collapsed, cut to 200 characters.
 */
export function teaserFrom(raw: Buffer, part: TextPart, alreadyDecoded: boolean): string {
  let bytes = raw;
  if (!alreadyDecoded) {
    if (part.encoding === 'base64') bytes = decodeBase64(raw);
    else if (part.encoding === 'quoted-printable') bytes = decodeQuotedPrintable(raw);
  }
  let text = decodeCharset(bytes, part.charset);
  if (part.type === 'text/html') {
    text = text
      .replace(/<(script|style)[\s\S]*?(<\/\1>|$)/gi, ' ')
      .replace(/<[^>]*(>|$)/g, ' ')
      .replace(/&nbsp;/gi, ' ')
      .replace(/&amp;/gi, '&')
      .replace(/&lt;/gi, '<')
      .replace(/&gt;/gi, '>')
      .replace(/&quot;/gi, '"')
      .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Math.min(Number(code), 0x10ffff)));
  }
  // A multi-byte character cut by the partial fetch decodes as U+FFFD at the very end.
  const chars = [...text.replace(/\uFFFD+$/, '').replace(/\s+/g, ' ').trim()];
  return chars.slice(0, TEASER_LENGTH).join('').trimEnd();
}
