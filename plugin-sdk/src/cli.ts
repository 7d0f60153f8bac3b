/**
 * Commands a bundle adds to the `keel` CLI. The bundle's package.json names the module in
 * `keel.cli`; it default-exports `defineCommands([...])`. The CLI only loads it for enabled bundles.
 * Commands talk to the running server through `admin` (the admin API with master credentials).
 */
export interface CommandOption {
  type: 'string' | 'boolean';
  /** One-letter alias, as operators know them (`-c` context, `-u` user …). */
  short?: string;
  description: string;
  multiple?: boolean;
  default?: string | boolean;
}

export interface AdminClient {
  /** Calls `<url>/admin/v1<path>` with the master credentials; throws CliError with the server's message on failure. */
  request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** Calls any path of the server (e.g. a module API) without admin credentials. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  readonly baseUrl: string;
}

export interface CommandInput {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  admin: AdminClient;
  /** Prints a line to stdout. */
  out(line?: string): void;
  /** Prints a line to stderr. */
  err(line?: string): void;
  /** `--json` was given. */
  json: boolean;
  env: NodeJS.ProcessEnv;
}

export interface CommandSpec {
  /** One or two words: `pushusers`, `context create`. */
  name: string;
  summary: string;
  /** Longer help text, shown by `--help`. */
  description?: string;
  options?: Record<string, CommandOption>;
  /** Returns the exit code (0 when omitted). Throw CliError for a clean message and exit code. */
  run(input: CommandInput): Promise<number | void>;
}

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export const COMMANDS_BRAND = Symbol.for('keel.commands');

export interface DefinedCommands {
  readonly commands: readonly CommandSpec[];
  readonly [COMMANDS_BRAND]: true;
}

export function defineCommands(commands: readonly CommandSpec[]): DefinedCommands {
  return Object.freeze({ commands, [COMMANDS_BRAND]: true as const });
}

export function isDefinedCommands(value: unknown): value is DefinedCommands {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[COMMANDS_BRAND] === true;
}

/** Formats rows as a left-aligned text table with a header, the way the original tools print. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | boolean>>): string {
  const cells = [headers.map(String), ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n');
}
