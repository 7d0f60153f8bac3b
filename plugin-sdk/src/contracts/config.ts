/**
 * The server scope of configuration: every `config/*.properties` file merged, values with
 * `${env:NAME}` / `${file:/path}` placeholders resolved, and environment overrides applied:
 * a property `a.b-c.d` is overridden by the variable `KEEL_A_B_C_D` when it is set (for secrets).
 *
 * Per-user and per-context values are not here: ask the {@link ConfigCascade}.
 */
export interface ConfigService {
  /** Raw string value, or undefined when no file and no override sets it. */
  get(name: string): string | undefined;
  getString(name: string, fallback: string): string;
  /** `true`/`false` (case-insensitive); anything else throws KEEL-CONFIG-VALUE naming the property and file. */
  getBoolean(name: string, fallback: boolean): boolean;
  /** A whole decimal number; anything else throws KEEL-CONFIG-VALUE. */
  getNumber(name: string, fallback: number): number;
  /** Comma-separated list, each item trimmed and stripped of surrounding quotes; empty items dropped. */
  getList(name: string, fallback?: readonly string[]): string[];
  /** Every property whose name starts with `prefix` (the prefix is kept in the keys). */
  getByPrefix(prefix: string): Map<string, string>;
  /** Where a value came from (`config/push.properties:12`, `env KEEL_…`), for error messages. */
  sourceOf(name: string): string | undefined;
  /**
   * A YAML option file from the config directory, parsed (`pns-apns-options.yml`, `webhooks.yml` …).
   * Undefined when the file does not exist; a syntax error throws KEEL-CONFIG-YAML naming file and line.
   */
  yaml<T = unknown>(fileName: string): T | undefined;
  /** Absolute path of the config directory (`KEEL_CONFIG_DIR`, default `./config`). */
  readonly directory: string;
  /** Absolute path of the data directory (`KEEL_DATA_DIR`, default `./data`). */
  readonly dataDirectory: string;
  /** Called after `keel reload` re-read the files; a bundle re-reads what it cached. Returns an unsubscribe function. */
  onReload(listener: () => void | Promise<void>): () => void;
}
