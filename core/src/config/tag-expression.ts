/** A compiled `withTags` expression. */
export type TagPredicate = (tags: ReadonlySet<string>) => boolean;

interface Token {
  kind: '&' | '|' | '!' | '(' | ')' | 'tag' | 'end';
  text: string;
  /** 1-based character position in the expression, for messages. */
  position: number;
}

const TAG = /[A-Za-z0-9_.:-]+/y;

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '&' || c === '|' || c === '!' || c === '(' || c === ')') {
      tokens.push({ kind: c, text: c, position: i + 1 });
      i++;
    } else {
      TAG.lastIndex = i;
      const match = TAG.exec(expression);
      if (match === null) throw new SyntaxError(`unexpected character '${c}' at position ${i + 1}`);
      tokens.push({ kind: 'tag', text: match[0], position: i + 1 });
      i += match[0].length;
    }
  }
  tokens.push({ kind: 'end', text: 'end of expression', position: expression.length + 1 });
  return tokens;
}

/**
 * Compiles a context-set tag expression: tag names `[A-Za-z0-9_.:-]+`, `!` (not), `&` (and),
 * `|` (or) and parentheses; precedence `!` > `&` > `|`. Bad syntax throws a SyntaxError naming the
 * 1-based position, e.g. `expected a tag or '(' at position 5, found ')'`.
 */
export function parseTagExpression(expression: string): TagPredicate {
  const tokens = tokenize(expression);
  let index = 0;
  const peek = (): Token => tokens[index]!;
  const describe = (token: Token): string => (token.kind === 'end' ? 'end of expression' : `'${token.text}'`);

  function parseOr(): TagPredicate {
    let left = parseAnd();
    while (peek().kind === '|') {
      index++;
      const a = left;
      const b = parseAnd();
      left = (tags) => a(tags) || b(tags);
    }
    return left;
  }

  function parseAnd(): TagPredicate {
    let left = parseNot();
    while (peek().kind === '&') {
      index++;
      const a = left;
      const b = parseNot();
      left = (tags) => a(tags) && b(tags);
    }
    return left;
  }

  function parseNot(): TagPredicate {
    if (peek().kind === '!') {
      index++;
      const operand = parseNot();
      return (tags) => !operand(tags);
    }
    return parsePrimary();
  }

  function parsePrimary(): TagPredicate {
    const token = peek();
    if (token.kind === 'tag') {
      index++;
      const tag = token.text;
      return (tags) => tags.has(tag);
    }
    if (token.kind === '(') {
      index++;
      const inner = parseOr();
      const close = peek();
      if (close.kind !== ')') {
        throw new SyntaxError(`expected ')' at position ${close.position} to close '(' at position ${token.position}, found ${describe(close)}`);
      }
      index++;
      return inner;
    }
    throw new SyntaxError(`expected a tag or '(' at position ${token.position}, found ${describe(token)}`);
  }

  const predicate = parseOr();
  const rest = peek();
  if (rest.kind !== 'end') throw new SyntaxError(`expected an operator at position ${rest.position}, found ${describe(rest)}`);
  return predicate;
}
