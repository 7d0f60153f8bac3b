// Typed reading of a parsed YAML option file, with errors naming the file and the key path.
import { configError } from '../errors.js';

export type YamlValue = unknown;

export class YamlReader {
  constructor(readonly file: string, readonly path: string, readonly value: YamlValue) {}

  private fail(problem: string): never {
    throw configError(this.file, this.path || '(top level)', problem);
  }

  child(key: string): YamlReader {
    return new YamlReader(this.file, this.path ? `${this.path}.${key}` : key, this.map()[key]);
  }

  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  map(): Record<string, YamlValue> {
    if (!this.present) return {};
    if (typeof this.value !== 'object' || Array.isArray(this.value)) this.fail('must be a map of keys to values');
    return this.value as Record<string, YamlValue>;
  }

  /** Fails on keys outside `allowed`, so typos in option files are reported, not ignored. */
  keys(allowed: readonly string[]): this {
    for (const key of Object.keys(this.map())) {
      if (!allowed.includes(key)) this.fail(`has an unknown key "${key}" (allowed: ${allowed.join(', ')})`);
    }
    return this;
  }

  entries(): Array<[string, YamlReader]> {
    return Object.keys(this.map()).map((key) => [key, this.child(key)]);
  }

  string(fallback?: string): string {
    if (!this.present) {
      if (fallback !== undefined) return fallback;
      this.fail('is missing');
    }
    if (typeof this.value === 'number' || typeof this.value === 'boolean') return String(this.value);
    if (typeof this.value !== 'string' || this.value.trim() === '') this.fail('must be a non-empty string');
    return this.value.trim();
  }

  optionalString(): string | undefined {
    return this.present ? this.string() : undefined;
  }

  number(fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    if (!this.present) return fallback;
    const value = typeof this.value === 'string' && /^\d+$/.test(this.value.trim()) ? Number(this.value) : this.value;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) this.fail(`must be a whole number from ${min} to ${max}`);
    return value;
  }

  boolean(fallback: boolean): boolean {
    if (!this.present) return fallback;
    if (typeof this.value !== 'boolean') this.fail('must be true or false');
    return this.value;
  }

  oneOf<T extends string>(allowed: readonly T[], fallback?: T): T {
    const value = this.string(fallback);
    const found = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
    if (found === undefined) this.fail(`must be one of ${allowed.join(' | ')}, got "${value}"`);
    return found;
  }

  /** A string or a list of strings, as a list. */
  stringList(): string[] {
    if (!this.present) return [];
    if (typeof this.value === 'string') return [this.string()];
    if (!Array.isArray(this.value)) this.fail('must be a string or a list of strings');
    return (this.value as YamlValue[]).map((_, index) => new YamlReader(this.file, `${this.path}[${index}]`, (this.value as YamlValue[])[index]).string());
  }

  list(): YamlReader[] {
    if (!this.present) return [];
    if (!Array.isArray(this.value)) this.fail('must be a list');
    return (this.value as YamlValue[]).map((item, index) => new YamlReader(this.file, `${this.path}[${index}]`, item));
  }

  problem(message: string): never {
    this.fail(message);
  }
}
