import { Filter, FilterParser } from 'ldapts';

/** The values a template may use: `{login}` (the login without an `@mapping` that chose the context) and `{input}` (what was typed). */
export interface TemplateValues {
  login: string;
  input: string;
}

const PLACEHOLDER = /\{(login|input)\}/g;

export function hasPlaceholder(template: string): boolean {
  return /\{(login|input)\}/.test(template);
}

/**
 * Escapes an attribute value for a DN string (RFC 4514, section 2.4): the specials `" + , ; < > \`
 * and `=`, a leading `#` or space, a trailing space, and every control character (NUL must be escaped;
 * the others are escaped so nothing invisible reaches the server's DN parser) as `\XX`.
 */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let index = 0; index < value.length; index++) {
    const char = value[index]!;
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) out += `\\${code.toString(16).padStart(2, '0')}`;
    else if ('"+,;<>\\='.includes(char)) out += `\\${char}`;
    else if ((index === 0 && (char === ' ' || char === '#')) || (index === value.length - 1 && char === ' ')) out += `\\${char}`;
    else out += char;
  }
  return out;
}

/** A DN from a template such as `uid={login},ou=people,dc=example,dc=com`, every value escaped per RFC 4514. */
export function fillDnTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_, name: keyof TemplateValues) => escapeDnValue(values[name]));
}

/**
 * A search filter from a template such as `(&(objectClass=inetOrgPerson)(uid={login}))`: each value is
 * escaped with ldapts' RFC 4515 escape (`* ( ) \ NUL`) before it is put in, and the result is parsed
 * into a filter object, so user input can only ever be a value, never filter syntax.
 */
export function fillFilterTemplate(template: string, values: TemplateValues): Filter {
  return FilterParser.parseString(template.replace(PLACEHOLDER, (_, name: keyof TemplateValues) => Filter.escape(values[name])));
}
