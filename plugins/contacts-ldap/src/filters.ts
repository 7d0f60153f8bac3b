// Search filters as ldapts Filter objects: user input never passes through filter-string syntax.
// Filter objects are BER-encoded value by value, so `*)(uid=*`, `\`, NUL or parentheses in a
// pattern travel as literal octets (RFC 4515 escaping applies to strings; there are none here).
import { parseContactPattern } from '@keel/plugin-sdk';
import { AndFilter, EqualityFilter, FilterParser, OrFilter, PresenceFilter, SubstringFilter, type Filter } from 'ldapts';

/** A filter from the configuration (checked at start), as an object. */
export function configFilter(filter: string): Filter {
  return FilterParser.parseString(filter);
}

export function and(...filters: Filter[]): Filter {
  return filters.length === 1 ? filters[0]! : new AndFilter({ filters });
}

/** `(attribute=value)` with the value taken literally. */
export function equals(attribute: string, value: string): Filter {
  return new EqualityFilter({ attribute, value });
}

/**
 * The search pattern over the given attributes: `anna` → `(|(cn=anna*)(mail=anna*)…)`, `*son` →
 * `(|(cn=*son*)…)`. Undefined when the pattern matches everything.
 */
export function patternFilter(pattern: string, attributes: readonly string[]): Filter | undefined {
  const parts = parseContactPattern(pattern);
  const literals = parts.filter((part): part is { literal: string } => 'literal' in part).map((part) => part.literal);
  if (literals.length === 0) return undefined;
  const anchored = 'literal' in parts[0]!;
  const initial = anchored ? literals[0]! : '';
  const any = anchored ? literals.slice(1) : literals;
  const filters = attributes.map((attribute) => new SubstringFilter({ attribute, initial, any }));
  return filters.length === 1 ? filters[0]! : new OrFilter({ filters });
}

/** `(attribute=*)`. */
export function present(attribute: string): Filter {
  return new PresenceFilter({ attribute });
}
