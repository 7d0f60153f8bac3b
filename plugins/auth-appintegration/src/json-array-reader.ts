/**
 * Splits a JSON array arriving in chunks into the texts of its elements, so a list of 100,000 users is
 * parsed one user at a time and the whole answer never sits in memory as one string. Only brackets,
 * commas and quotes are tracked here; each element is then parsed on its own (leniently), so the
 * reader accepts what the lenient parser accepts (single-quoted strings included).
 */
export class JsonArrayReader {
  private state: 'before' | 'inside' | 'after' = 'before';
  private depth = 0;
  private quote: string | undefined;
  private escaped = false;
  private element = '';
  /** Characters read so far, for error positions. */
  private position = 0;

  constructor(private readonly maxElementLength = 1024 * 1024) {}

  /** Feeds the next piece of text; returns the elements completed by it. */
  push(chunk: string): string[] {
    const done: string[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.state === 'before') {
        if (c === '[') {
          this.state = 'inside';
          start = i + 1;
        } else if (!isBlank(c)) {
          this.fail(`expected a JSON array, got '${chunk.slice(i, i + 20)}'`, i);
        }
        continue;
      }
      if (this.state === 'after') {
        if (!isBlank(c)) this.fail('unexpected text after the array', i);
        continue;
      }
      // Fast path inside strings: only the closing quote and escapes matter.
      if (this.quote !== undefined) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === this.quote) this.quote = undefined;
        continue;
      }
      if (c === '"' || c === "'") this.quote = c;
      else if (c === '{' || c === '[') this.depth++;
      else if (c === '}' || (c === ']' && this.depth > 0)) this.depth--;
      else if (this.depth === 0 && (c === ',' || c === ']')) {
        this.element += chunk.slice(start, i);
        start = i + 1;
        const text = this.element.trim();
        this.element = '';
        // Blank elements (a trailing comma, `[]`) are skipped.
        if (text !== '') done.push(text);
        if (c === ']') this.state = 'after';
      }
      if (this.depth < 0) this.fail(`unbalanced '${c}'`, i);
    }
    if (this.state === 'inside') {
      this.element += chunk.slice(start);
      if (this.element.length > this.maxElementLength) this.fail(`an array element is longer than ${this.maxElementLength} characters`, chunk.length);
    }
    this.position += chunk.length;
    return done;
  }

  /** Call after the last chunk: throws unless a complete array was read. */
  end(): void {
    if (this.state === 'before') throw new SyntaxError('expected a JSON array, got an empty answer');
    if (this.state === 'inside') throw new SyntaxError(`the JSON array is incomplete: it ends after ${this.position} characters without ']'`);
  }

  private fail(message: string, index: number): never {
    throw new SyntaxError(`${message} at position ${this.position + index}`);
  }
}

function isBlank(c: string): boolean {
  return c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\uFEFF';
}
