// A contact search pattern as a SQL LIKE pattern: user text is literal, only `*` becomes a wildcard.
import { parseContactPattern } from '@keel/plugin-sdk';

/**
 * `!` is the LIKE escape character: unlike the backslash it means the same in MySQL and SQLite
 * string literals, so `ESCAPE '!'` works on both.
 */
export const LIKE_ESCAPE = '!';

export function toLikePattern(pattern: string): string {
  return parseContactPattern(pattern.toLowerCase())
    .map((part) => ('wildcard' in part ? '%' : part.literal.replace(/[!%_]/g, (c) => `${LIKE_ESCAPE}${c}`)))
    .join('');
}

/** True when the pattern matches everything (`''`, `*`, `**`). */
export function matchesEverything(pattern: string): boolean {
  return toLikePattern(pattern) === '%';
}
