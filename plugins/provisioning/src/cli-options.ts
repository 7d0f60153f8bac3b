// Reading the operator flags of the context/user commands.
import { CliError, type CommandInput, type CommandOption } from '@keel/plugin-sdk';

type Values = CommandInput['values'];

/** The flags operators know from the original tools. */
export const OPTIONS = {
  contextid: { type: 'string', short: 'c', description: 'Context id' },
  userid: { type: 'string', short: 'i', description: 'User id' },
  username: { type: 'string', short: 'u', description: 'Login name of the user' },
  name: { type: 'string', short: 'N', description: 'Context name' },
  loginmappings: { type: 'string', short: 'L', description: 'Login mappings (e.g. domains), comma-separated' },
  displayname: { type: 'string', short: 'd', description: 'Display name' },
  email: { type: 'string', short: 'e', description: 'Primary mail address' },
  aliases: { type: 'string', description: 'Further mail addresses, comma-separated' },
  password: { type: 'string', short: 'p', description: 'Password' },
  set: { type: 'string', multiple: true, description: 'Config value to set, as property=value (repeatable)' },
  remove: { type: 'string', multiple: true, description: 'Config property to remove (repeatable)' },
} as const satisfies Record<string, CommandOption>;

export type OptionName = keyof typeof OPTIONS;

export function pick(...names: OptionName[]): Record<string, CommandOption> {
  return Object.fromEntries(names.map((name) => [name, OPTIONS[name]]));
}

function flag(name: OptionName): string {
  const option: CommandOption = OPTIONS[name];
  return option.short ? `-${option.short}/--${name}` : `--${name}`;
}

export function text(values: Values, name: OptionName): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredText(values: Values, name: OptionName): string {
  const value = text(values, name);
  if (value === undefined || value === '') throw new CliError(`Missing ${flag(name)}`, 2);
  return value;
}

export function id(values: Values, name: 'contextid' | 'userid'): number | undefined {
  const value = text(values, name);
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,9}$/.test(value) || Number(value) > 2_147_483_647) throw new CliError(`${flag(name)} must be a positive whole number, got '${value}'`, 2);
  return Number(value);
}

export function requiredId(values: Values, name: 'contextid' | 'userid'): number {
  const value = id(values, name);
  if (value === undefined) throw new CliError(`Missing ${flag(name)}`, 2);
  return value;
}

/** A comma-separated flag as a list; undefined when the flag was not given. */
export function list(values: Values, name: OptionName): string[] | undefined {
  const value = text(values, name);
  return value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function many(values: Values, name: 'set' | 'remove'): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

/** `--set a=b --set c=d --remove e` as the admin API's config change; at least one is needed. */
export function configChange(values: Values): { set?: Record<string, string>; remove?: string[] } {
  const set: Record<string, string> = {};
  for (const assignment of many(values, 'set')) {
    const at = assignment.indexOf('=');
    if (at <= 0) throw new CliError(`--set needs property=value, got '${assignment}'`, 2);
    set[assignment.slice(0, at).trim()] = assignment.slice(at + 1);
  }
  const remove = many(values, 'remove');
  if (Object.keys(set).length === 0 && remove.length === 0) throw new CliError('Give at least one --set property=value or --remove property', 2);
  return { ...(Object.keys(set).length > 0 ? { set } : {}), ...(remove.length > 0 ? { remove } : {}) };
}

export function noPositionals(input: CommandInput): void {
  if (input.positionals.length > 0) throw new CliError(`Unexpected argument '${input.positionals[0]}'; every value is given with a flag (see --help)`, 2);
}

/** Prints JSON, or the table when --json was not given. */
export function print(input: CommandInput, json: unknown, table: () => string): void {
  input.out(input.json ? JSON.stringify(json, null, 2) : table());
}
