import type { CascadeScope, CascadeSubject, CascadeValue, ConfigService, ConfigView } from '@keel/plugin-sdk';
import type { ContextSetValue } from './context-sets.js';
import type { FinalScope } from './finality.js';
import { suffixNames } from './suffix-names.js';
import { toBoolean, toList, toNumber } from './values.js';

/**
 * One subject's loaded scopes. A class rather than closures because a view is created per request
 * and `get` sits on hot paths (per notification, per subscription): shared prototype methods, and a
 * lookup is at most one Map probe per scope.
 */
export class CascadeView implements ConfigView {
  constructor(
    readonly subject: CascadeSubject,
    private readonly user: ReadonlyMap<string, string>,
    private readonly context: ReadonlyMap<string, string>,
    private readonly sets: ReadonlyMap<string, ContextSetValue>,
    private readonly server: ConfigService,
    private readonly finality: ReadonlyMap<string, FinalScope>,
  ) {}

  get(property: string): string | undefined {
    if (this.finality.size !== 0) {
      const finalAt = this.finality.get(property);
      if (finalAt !== undefined) {
        const value = this.valueAt(finalAt, property);
        if (value !== undefined) return value; // the final scope has a value: more specific scopes are not consulted
      }
    }
    return this.user.get(property) ?? this.context.get(property) ?? this.sets.get(property)?.value ?? this.server.get(property);
  }

  getBoolean(property: string, fallback: boolean): boolean {
    return toBoolean(property, this.get(property), fallback, () => this.sourceOf(property));
  }

  getNumber(property: string, fallback: number): number {
    return toNumber(property, this.get(property), fallback, () => this.sourceOf(property));
  }

  getList(property: string, fallback?: readonly string[]): string[] {
    return toList(this.get(property), fallback);
  }

  switchFor(base: string, fallback: boolean, ...suffixes: string[]): boolean {
    // Most specific first: base.s1.s2…, base.s1…, base.
    const names = suffixNames(base, suffixes);
    for (let i = names.length - 1; i >= 0; i--) {
      const name = names[i]!;
      const value = this.get(name);
      if (value !== undefined) return toBoolean(name, value, fallback, () => this.sourceOf(name));
    }
    return fallback;
  }

  explain(property: string): { winner?: CascadeValue; values: CascadeValue[]; finalAt?: CascadeScope } {
    const values: CascadeValue[] = [];
    const user = this.user.get(property);
    if (user !== undefined) values.push({ scope: 'user', value: user });
    const context = this.context.get(property);
    if (context !== undefined) values.push({ scope: 'context', value: context });
    const set = this.sets.get(property);
    if (set !== undefined) values.push({ scope: 'contextSets', value: set.value, source: set.set.name });
    const server = this.server.get(property);
    if (server !== undefined) values.push({ scope: 'server', value: server });
    const finalAt = this.finality.get(property);
    const winner = (finalAt !== undefined ? values.find((v) => v.scope === finalAt) : undefined) ?? values[0];
    const result: { winner?: CascadeValue; values: CascadeValue[]; finalAt?: CascadeScope } = { values };
    if (winner !== undefined) result.winner = winner;
    if (finalAt !== undefined) result.finalAt = finalAt;
    return result;
  }

  private valueAt(scope: FinalScope, property: string): string | undefined {
    switch (scope) {
      case 'server': return this.server.get(property);
      case 'contextSets': return this.sets.get(property)?.value;
      case 'context': return this.context.get(property);
    }
  }

  /** Names where the winning value came from, for error messages. */
  private sourceOf(property: string): string | undefined {
    const winner = this.explain(property).winner;
    switch (winner?.scope) {
      case undefined: return undefined;
      case 'user': return `user ${this.subject.userId} in context ${this.subject.contextId}`;
      case 'context': return `context ${this.subject.contextId}`;
      case 'contextSets': return `context set '${winner.source}' (${this.sets.get(property)?.set.file})`;
      case 'server': return this.server.sourceOf(property);
    }
  }
}
