import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ConfigService } from '@keel/plugin-sdk';
import { keelError } from '../errors.js';
import { envNameFor, snapshotKeelEnv } from './env-overrides.js';
import { resolvePlaceholders } from './placeholders.js';
import { parseProperties } from './properties-parser.js';
import { displayPath } from './source-path.js';
import { toBoolean, toList, toNumber } from './values.js';
import { readYamlFile, yamlToJs } from './yaml-file.js';

/** The server scope plus what the kernel and CLI need to drive it. */
export interface ServerConfig extends ConfigService {
  /**
   * Re-reads every properties file and the environment, drops cached YAML, then awaits every
   * onReload listener in registration order. If the files are invalid the old values stay and the
   * error is thrown before any listener runs. Listener failures do not stop the other listeners:
   * they are collected and thrown together as one AggregateError at the end, for the caller to log.
   */
  reload(): Promise<void>;
  /** Names of every property set in a file (sorted). Variables for unknown names are not listed. */
  names(): string[];
}

export interface ServerConfigOptions {
  directory: string;
  dataDirectory: string;
  /** Defaults to `process.env`; read again on every reload. */
  env?: NodeJS.ProcessEnv;
}

interface Entry {
  value: string | undefined;
  source: string;
  /** The placeholder that could not be resolved; thrown on access. */
  missing?: string;
}

interface State {
  entries: Map<string, Entry>;
  keelEnv: Map<string, string>;
  /** Names no file sets, mapped to their override or null: computing a variable name costs ~10x a lookup. */
  overrideMemo: Map<string, string | null>;
}

const OVERRIDE_MEMO_LIMIT = 10_000;

type YamlCacheEntry = { value: unknown } | { error: unknown };

/** Reads `<directory>/*.properties` and the environment into the server scope of configuration. */
export async function loadServerConfig(options: ServerConfigOptions): Promise<ServerConfig> {
  const directory = resolve(options.directory);
  const dataDirectory = resolve(options.dataDirectory);
  const readEnv = (): NodeJS.ProcessEnv => options.env ?? process.env;
  let state = await loadState(directory, readEnv());
  const yamlCache = new Map<string, YamlCacheEntry>();
  const listeners = new Set<{ listener: () => void | Promise<void> }>();
  let reloading: Promise<void> = Promise.resolve();

  function entryValue(name: string, entry: Entry): string | undefined {
    if (entry.missing !== undefined) {
      throw keelError('KEEL-CONFIG-PLACEHOLDER', { name, source: entry.source, placeholder: entry.missing });
    }
    return entry.value;
  }

  // Hot path (every cascade lookup that falls through to the server): one Map lookup for names set
  // in a file, whose overrides were applied at load; for other names a memo of the override check,
  // bounded because names may carry client and topic suffixes.
  function get(name: string): string | undefined {
    const { entries, keelEnv, overrideMemo } = state;
    const entry = entries.get(name);
    if (entry !== undefined) return entryValue(name, entry);
    if (keelEnv.size === 0) return undefined;
    let override = overrideMemo.get(name);
    if (override === undefined) {
      override = keelEnv.get(envNameFor(name)) ?? null;
      if (overrideMemo.size >= OVERRIDE_MEMO_LIMIT) overrideMemo.clear();
      overrideMemo.set(name, override);
    }
    return override ?? undefined;
  }

  function sourceOf(name: string): string | undefined {
    const entry = state.entries.get(name);
    if (entry !== undefined) return entry.source;
    if (state.keelEnv.size === 0) return undefined;
    const variable = envNameFor(name);
    return state.keelEnv.has(variable) ? `env ${variable}` : undefined;
  }

  function yaml<T = unknown>(fileName: string): T | undefined {
    let cached = yamlCache.get(fileName);
    if (cached === undefined) {
      checkPlainName(fileName);
      try {
        const file = readYamlFile(join(directory, fileName));
        cached = { value: file === undefined ? undefined : yamlToJs(file) };
      } catch (error) {
        cached = { error };
      }
      yamlCache.set(fileName, cached);
    }
    if ('error' in cached) throw cached.error;
    return cached.value as T | undefined;
  }

  async function runReload(): Promise<void> {
    state = await loadState(directory, readEnv());
    yamlCache.clear();
    const failures: unknown[] = [];
    for (const { listener } of [...listeners]) {
      try {
        await listener();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} config reload listener(s) failed`);
  }

  return {
    directory,
    dataDirectory,
    get,
    getString: (name, fallback) => get(name) ?? fallback,
    getBoolean: (name, fallback) => toBoolean(name, get(name), fallback, () => sourceOf(name)),
    getNumber: (name, fallback) => toNumber(name, get(name), fallback, () => sourceOf(name)),
    getList: (name, fallback) => toList(get(name), fallback),
    getByPrefix(prefix) {
      const found = new Map<string, string>();
      for (const [name, entry] of state.entries) {
        if (!name.startsWith(prefix)) continue;
        const value = entryValue(name, entry);
        if (value !== undefined) found.set(name, value);
      }
      return found;
    },
    sourceOf,
    yaml,
    onReload(listener) {
      const registration = { listener };
      listeners.add(registration);
      return () => void listeners.delete(registration);
    },
    reload() {
      // Reloads run one after another, so listeners never see two interleaved re-reads.
      const run = reloading.then(runReload, runReload);
      reloading = run.catch(() => undefined);
      return run;
    },
    names: () => [...state.entries.keys()].sort(),
  };
}

async function loadState(directory: string, env: NodeJS.ProcessEnv): Promise<State> {
  const keelEnv = snapshotKeelEnv(env);
  const raw = new Map<string, { value: string; source: string }>();
  for (const fileName of await listPropertiesFiles(directory)) {
    const path = join(directory, fileName);
    const display = displayPath(path);
    const parsed = parseProperties(await readFile(path, 'utf8'), display);
    for (const [name, { value, line }] of parsed) raw.set(name, { value, source: `${display}:${line}` });
  }
  const entries = new Map<string, Entry>();
  const files = new Map<string, Promise<string | undefined>>();
  for (const [name, { value, source }] of [...raw].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const variable = keelEnv.size === 0 ? undefined : envNameFor(name);
    const override = variable === undefined ? undefined : keelEnv.get(variable);
    if (override !== undefined) {
      entries.set(name, { value: override, source: `env ${variable}` });
      continue;
    }
    const resolved = await resolvePlaceholders(value, env, directory, files);
    entries.set(name, resolved.missing === undefined ? { value: resolved.value, source } : { value: undefined, source, missing: resolved.missing });
  }
  return { entries, keelEnv, overrideMemo: new Map() };
}

async function listPropertiesFiles(directory: string): Promise<string[]> {
  try {
    const dirents = await readdir(directory, { withFileTypes: true });
    return dirents
      .filter((dirent) => !dirent.isDirectory() && dirent.name.endsWith('.properties'))
      .map((dirent) => dirent.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []; // no directory: empty config
    throw error;
  }
}

/** Option files are addressed by plain name; anything that could leave the config directory is refused. */
function checkPlainName(fileName: string): void {
  if (fileName === '' || fileName === '.' || fileName === '..' || /[/\\\0]/.test(fileName)) {
    throw keelError('KEEL-CONFIG-FILE-NAME', { file: fileName });
  }
}
