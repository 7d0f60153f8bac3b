import { keelError } from '../errors.js';

/** One property of a `.properties` file: its unescaped value and the line its key starts on (1-based). */
export interface PropertyEntry {
  value: string;
  line: number;
}

/** Where a piece of a logical line came from, so an escape error can name its physical line. */
interface Segment {
  offset: number;
  line: number;
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\f';
const isCommentStart = (c: string | undefined): boolean => c === '#' || c === '!';

function stripLeadingBlanks(line: string): string {
  let i = 0;
  while (isBlank(line[i])) i++;
  return i === 0 ? line : line.slice(i);
}

function endsWithOddBackslashes(text: string): boolean {
  let count = 0;
  for (let i = text.length - 1; i >= 0 && text.charCodeAt(i) === 92; i--) count++;
  return count % 2 === 1;
}

/**
 * Parses Java `.properties` text with the semantics of `java.util.Properties.load(Reader)` (Java 9+,
 * so the input is already Unicode text, not ISO-8859-1): `=`, `:` or whitespace separators, `#`/`!`
 * comment lines, `\` line continuations, `\uXXXX` and the other escapes; the last duplicate wins.
 * A malformed `\u` escape throws KEEL-CONFIG-SYNTAX naming `file:line`.
 */
export function parseProperties(text: string, file = '<properties>'): Map<string, PropertyEntry> {
  const result = new Map<string, PropertyEntry>();
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const first = stripLeadingBlanks(lines[i]!);
    if (first === '' || isCommentStart(first[0])) continue;
    const line = i + 1;
    const segments: Segment[] = [];
    let logical = '';
    let segment = first;
    for (;;) {
      segments.push({ offset: logical.length, line: i + 1 });
      if (!endsWithOddBackslashes(segment)) {
        logical += segment;
        break;
      }
      logical += segment.slice(0, -1);
      if (i + 1 >= lines.length) break; // a continuation at end of input just drops the backslash
      i++;
      segment = stripLeadingBlanks(lines[i]!);
      // An empty continuation line ends the logical line; so does a comment when nothing came before
      // it (Java decides "comment" by the logical line still being empty).
      if (segment === '' || (logical === '' && isCommentStart(segment[0]))) break;
    }
    if (logical === '') continue;
    parseLogicalLine(logical, segments, line, file, result);
  }
  return result;
}

function parseLogicalLine(logical: string, segments: Segment[], line: number, file: string, into: Map<string, PropertyEntry>): void {
  const end = logical.length;
  let keyEnd = 0;
  let valueStart = end;
  let hasSeparator = false;
  let escaped = false;
  for (; keyEnd < end; keyEnd++) {
    const c = logical[keyEnd];
    if (!escaped) {
      if (c === '=' || c === ':') {
        valueStart = keyEnd + 1;
        hasSeparator = true;
        break;
      }
      if (isBlank(c)) {
        valueStart = keyEnd + 1;
        break;
      }
    }
    escaped = c === '\\' ? !escaped : false;
  }
  // Whitespace around the separator is ignored; after a whitespace separator one `=`/`:` may follow.
  while (valueStart < end) {
    const c = logical[valueStart];
    if (!isBlank(c)) {
      if (!hasSeparator && (c === '=' || c === ':')) hasSeparator = true;
      else break;
    }
    valueStart++;
  }
  const key = unescape(logical, 0, keyEnd, segments, file);
  const value = unescape(logical, valueStart, end, segments, file);
  into.delete(key); // keep the map in "last definition" order
  into.set(key, { value, line });
}

function lineAt(segments: Segment[], offset: number): number {
  let line = segments[0]!.line;
  for (const segment of segments) {
    if (segment.offset > offset) break;
    line = segment.line;
  }
  return line;
}

function unescape(text: string, start: number, end: number, segments: Segment[], file: string): string {
  const backslash = text.indexOf('\\', start);
  if (backslash === -1 || backslash >= end) return text.slice(start, end); // the common case
  let out = text.slice(start, backslash);
  let i = backslash;
  while (i < end) {
    const c = text[i]!;
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined || i + 1 >= end) break; // a lone trailing backslash is dropped, as in Java
    i += 2;
    switch (next) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        const hex = text.slice(i, Math.min(i + 4, end));
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) {
          throw keelError('KEEL-CONFIG-SYNTAX', {
            file,
            line: lineAt(segments, i - 2),
            detail: `malformed \\uXXXX escape '\\u${hex}' (four hex digits expected)`,
          });
        }
        out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        break;
      }
      default: out += next; // `\\ \= \: \# \! \ ` and any other escaped character stand for themselves
    }
  }
  return out;
}
