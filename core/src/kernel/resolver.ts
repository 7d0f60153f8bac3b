import semver from 'semver';
import type { KeelError, ServiceRef } from '@keel/plugin-sdk';
import { keelError } from '../errors.js';

export interface ResolverInput {
  name: string;
  sdkRange: string;
  packageJsonPath: string;
  provides: readonly ServiceRef<unknown>[];
  requires: readonly ServiceRef<unknown>[];
  optional: readonly ServiceRef<unknown>[];
}

export interface Resolution {
  /** Bundles that can start, in a stable topological order (providers first, ties by name). */
  order: string[];
  /** For each resolved bundle, the bundles that must be ACTIVE (required) or started first (optional) before it starts. */
  dependencies: Map<string, { required: Set<string>; optional: Set<string> }>;
  /** Bundles left out, with the reason. */
  failed: Map<string, KeelError>;
}

/**
 * Decides, before any code starts, which bundles can run and in what order. Unresolvable bundles
 * are removed and the rest re-checked until nothing changes, because removing a provider can
 * strand its consumers. `external` are services the kernel itself provides (test stand-ins).
 */
export function resolveBundles(inputs: readonly ResolverInput[], sdkVersion: string, external: readonly ServiceRef<unknown>[] = []): Resolution {
  const failed = new Map<string, KeelError>();

  for (const input of inputs) {
    if (!semver.validRange(input.sdkRange) || !semver.satisfies(sdkVersion, input.sdkRange, { includePrerelease: true })) {
      failed.set(input.name, keelError('KEEL-SDK-RANGE', { name: input.name, range: input.sdkRange, version: sdkVersion, file: input.packageJsonPath }));
    }
  }

  let remaining = inputs.filter((input) => !failed.has(input.name));
  let hard = new Map<string, Set<string>>();
  for (;;) {
    const providers = indexProviders(remaining);
    let removed = false;
    for (const input of remaining) {
      for (const ref of input.requires) {
        if (external.some((e) => e.id === ref.id && inRange(e.version, ref.version))) continue;
        const all = (providers.get(ref.id) ?? []).filter((p) => p.bundle !== input.name);
        if (all.some((p) => inRange(p.version, ref.version))) continue;
        failed.set(input.name, all.length > 0
          ? keelError('KEEL-SERVICE-RANGE', { name: input.name, ref: `${ref.id}@^${ref.version}`, provided: all.map((p) => `${p.version} by '${p.bundle}'`).join(', ') })
          : keelError('KEEL-SERVICE-MISSING', { name: input.name, ref: `${ref.id}@^${ref.version}`, hint: missingHint(ref, inputs, failed) }));
        removed = true;
        break;
      }
    }
    remaining = remaining.filter((input) => !failed.has(input.name));
    if (removed) continue;

    hard = edges(remaining, providers, (input) => input.requires);
    const cycles = findCycles(hard);
    if (cycles.length === 0) break;
    for (const cycle of cycles) {
      const path = [...cycle, cycle[0]].join(' -> ');
      for (const name of cycle) failed.set(name, keelError('KEEL-BUNDLE-CYCLE', { path }));
    }
    remaining = remaining.filter((input) => !failed.has(input.name));
  }

  const providers = indexProviders(remaining);
  const soft = edges(remaining, providers, (input) => input.optional);
  const dependencies = new Map<string, { required: Set<string>; optional: Set<string> }>();
  // The graph so far: required edges, then optional ones accepted one at a time (in name order, so
  // the result is stable). An optional edge only orders the start when it does not close a loop
  // with what is already in the graph, including optional edges accepted before it.
  const graph = new Map([...hard].map(([name, set]) => [name, new Set(set)]));
  for (const input of remaining) dependencies.set(input.name, { required: hard.get(input.name) ?? new Set<string>(), optional: new Set<string>() });
  for (const consumer of [...soft.keys()].sort()) {
    for (const provider of [...soft.get(consumer)!].sort()) {
      const deps = dependencies.get(consumer)!;
      if (deps.required.has(provider) || reaches(graph, provider, consumer)) continue;
      deps.optional.add(provider);
      graph.get(consumer)!.add(provider);
    }
  }
  return { order: topologicalOrder(dependencies), dependencies, failed };

  function missingHint(ref: ServiceRef<unknown>, all: readonly ResolverInput[], failures: Map<string, KeelError>): string {
    const leftOut = all.filter((i) => failures.has(i.name) && i.provides.some((p) => p.id === ref.id));
    if (leftOut.length > 0) return `; '${leftOut[0]!.name}' provides it but was left out (${failures.get(leftOut[0]!.name)!.code})`;
    return '; enable a bundle that provides it in packages.yml';
  }
}

function inRange(providerVersion: string, consumerVersion: string): boolean {
  return semver.satisfies(providerVersion, `^${consumerVersion}`, { includePrerelease: true });
}

function indexProviders(inputs: readonly ResolverInput[]): Map<string, Array<{ bundle: string; version: string }>> {
  const index = new Map<string, Array<{ bundle: string; version: string }>>();
  for (const input of inputs) {
    for (const ref of input.provides) {
      const list = index.get(ref.id) ?? [];
      list.push({ bundle: input.name, version: ref.version });
      index.set(ref.id, list);
    }
  }
  return index;
}

function edges(
  inputs: readonly ResolverInput[],
  providers: Map<string, Array<{ bundle: string; version: string }>>,
  refsOf: (input: ResolverInput) => readonly ServiceRef<unknown>[],
): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const input of inputs) {
    const set = new Set<string>();
    for (const ref of refsOf(input)) {
      for (const provider of providers.get(ref.id) ?? []) {
        if (provider.bundle !== input.name && inRange(provider.version, ref.version)) set.add(provider.bundle);
      }
    }
    result.set(input.name, set);
  }
  return result;
}

/** Tarjan's strongly connected components; each component of two or more is returned as one cycle path. */
function findCycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];

  const visit = (node: string): void => {
    indices.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indices.get(next)!));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) cycles.push(cyclePath(graph, new Set(component)));
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) visit(node);
  return cycles;
}

/** A readable path through a strongly connected component, starting at its first name. */
function cyclePath(graph: Map<string, Set<string>>, component: Set<string>): string[] {
  const start = [...component].sort()[0]!;
  const path = [start];
  const visited = new Set([start]);
  const walk = (node: string): boolean => {
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (next === start && path.length === component.size) return true;
      if (!component.has(next) || visited.has(next)) continue;
      visited.add(next);
      path.push(next);
      if (walk(next)) return true;
      path.pop();
      visited.delete(next);
    }
    return false;
  };
  return walk(start) ? path : [...component].sort();
}

function reaches(graph: Map<string, Set<string>>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.pop()!;
    if (node === to) return true;
    if (seen.has(node)) continue;
    seen.add(node);
    queue.push(...(graph.get(node) ?? []));
  }
  return false;
}

/** Kahn's algorithm with the ready set kept sorted by name, so the order is stable. */
function topologicalOrder(dependencies: Map<string, { required: Set<string>; optional: Set<string> }>): string[] {
  const pending = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [name, deps] of dependencies) {
    const all = new Set([...deps.required, ...deps.optional]);
    pending.set(name, all.size);
    for (const dep of all) {
      const list = dependents.get(dep) ?? [];
      list.push(name);
      dependents.set(dep, list);
    }
  }
  const ready = [...pending].filter(([, count]) => count === 0).map(([name]) => name).sort();
  const order: string[] = [];
  while (ready.length > 0) {
    const name = ready.shift()!;
    order.push(name);
    for (const dependent of dependents.get(name) ?? []) {
      const left = pending.get(dependent)! - 1;
      pending.set(dependent, left);
      if (left === 0) {
        // insert keeping the ready list sorted
        let i = 0;
        while (i < ready.length && ready[i]! < dependent) i++;
        ready.splice(i, 0, dependent);
      }
    }
  }
  return order;
}

