/**
 * JSON as Application Integration servers really write it. The protocol asks for valid JSON, but its
 * own sample answers `{ succeeded: true }` with an unquoted key, and hand-written PHP servers do
 * similar things. Accepted beyond JSON: unquoted keys, single-quoted strings, `True`/`FALSE`/`Null`
 * in any case, trailing commas, a byte order mark. Anything else is a SyntaxError.
 *
 * Strict JSON is tried first (`JSON.parse` is far faster); this parser only runs when that fails.
 */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return parseRelaxed(text);
  }
}

const IDENTIFIER = /[A-Za-z_$][\w$-]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /(true|false|null)(?![\w$])/iy;

export function parseRelaxed(text: string): unknown {
  let at = 0;

  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${at}${at < text.length ? ` near '${text.slice(at, at + 12)}'` : ' (end of text)'}`);
  };

  function skipBlanks(): void {
    while (at < text.length) {
      const c = text.charCodeAt(at);
      // space, tab, CR, LF, BOM
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xfeff) at++;
      else break;
    }
  }

  function match(pattern: RegExp): string | undefined {
    pattern.lastIndex = at;
    const found = pattern.exec(text);
    if (found === null) return undefined;
    at += found[0].length;
    return found[0];
  }

  function string(): string {
    const quote = text[at]!;
    at++;
    // Rewritten as the body of a double-quoted JSON string, whose escapes JSON.parse then decodes.
    let body = '';
    let escaped = false;
    for (; at < text.length; at++) {
      const c = text[at]!;
      if (escaped) {
        body += c === "'" ? "'" : `\\${c}`;
        escaped = false;
      } else if (c === '\\') {
        escaped = true;
      } else if (c === quote) {
        break;
      } else {
        body += c === '"' ? '\\"' : c;
      }
    }
    if (at >= text.length) fail('unterminated string');
    at++;
    try {
      return JSON.parse(`"${body}"`) as string;
    } catch {
      return fail('invalid escape or control character in string');
    }
  }

  function key(): string {
    const c = text[at];
    if (c === '"' || c === "'") return string();
    return match(IDENTIFIER) ?? fail('expected a key');
  }

  function value(): unknown {
    skipBlanks();
    const c = text[at];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"' || c === "'") return string();
    const literal = match(LITERAL);
    if (literal !== undefined) {
      const lower = literal.toLowerCase();
      return lower === 'null' ? null : lower === 'true';
    }
    const number = match(NUMBER);
    if (number !== undefined) return Number(number);
    return fail('unexpected character');
  }

  function object(): Record<string, unknown> {
    at++;
    const result: Record<string, unknown> = {};
    for (;;) {
      skipBlanks();
      if (text[at] === '}') {
        at++;
        return result;
      }
      const name = key();
      skipBlanks();
      if (text[at] !== ':') fail("expected ':'");
      at++;
      // defineProperty: a key named __proto__ must stay data, not change the prototype.
      Object.defineProperty(result, name, { value: value(), enumerable: true, writable: true, configurable: true });
      skipBlanks();
      if (text[at] === ',') at++;
      else if (text[at] !== '}') fail("expected ',' or '}'");
    }
  }

  function array(): unknown[] {
    at++;
    const result: unknown[] = [];
    for (;;) {
      skipBlanks();
      if (text[at] === ']') {
        at++;
        return result;
      }
      result.push(value());
      skipBlanks();
      if (text[at] === ',') at++;
      else if (text[at] !== ']') fail("expected ',' or ']'");
    }
  }

  const result = value();
  skipBlanks();
  if (at < text.length) fail('unexpected text after the value');
  return result;
}
