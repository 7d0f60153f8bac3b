import type { BundleInfo } from '@keel/plugin-sdk';
// The wire format is declared once, next to the console that reads it.
import type { BundleGraph, GraphEdge, GraphNode } from '../console/src/api-types.js';

export type { BundleGraph, GraphEdge, GraphNode };


const SWEEPS = 4;

/**
 * The dependency graph of the installed bundles for the console's picture (`GET /admin/v1/bundle-graph`):
 * edges from each `requires`/`optional` reference to every bundle that provides the ref in range,
 * nodes layered by dependency depth (longest path, so every edge points to a lower layer unless it
 * closes a cycle) and ordered within layers by the barycenter heuristic.
 */
export function bundleGraph(bundles: readonly BundleInfo[]): BundleGraph {
  const sorted = [...bundles].sort((a, b) => compare(a.name, b.name));
  const edges = collectEdges(sorted);
  const layer = layersOf(sorted.map((b) => b.name), edges);
  const layerCount = sorted.length === 0 ? 0 : Math.max(...layer.values()) + 1;
  const order = orderWithinLayers(sorted.map((b) => b.name), layer, layerCount, edges);
  const nodes = sorted.map((b): GraphNode => ({
    name: b.name,
    version: b.version,
    state: b.state,
    status: b.status,
    ...(b.error !== undefined ? { errorCode: b.error.code } : {}),
    layer: layer.get(b.name)!,
    order: order.get(b.name)!,
  }));
  return { nodes, edges, layers: layerCount };
}

function collectEdges(bundles: readonly BundleInfo[]): GraphEdge[] {
  const provided = bundles.flatMap((b) => b.provides.map((entry) => ({ bundle: b.name, ...splitRef(entry) })));
  const byPair = new Map<string, GraphEdge>();
  for (const consumer of bundles) {
    const references = [
      ...consumer.requires.map((entry) => ({ entry, optional: false })),
      ...consumer.optional.map((entry) => ({ entry, optional: true })),
    ];
    for (const { entry, optional } of references) {
      const wanted = splitRef(entry);
      for (const offer of provided) {
        if (offer.bundle === consumer.name || offer.id !== wanted.id || !satisfiesCaret(offer.version, wanted.version)) continue;
        const key = `${consumer.name}\0${offer.bundle}`;
        const edge = byPair.get(key);
        if (edge === undefined) {
          byPair.set(key, { from: consumer.name, to: offer.bundle, services: [wanted.id], optional });
        } else {
          if (!edge.services.includes(wanted.id)) edge.services.push(wanted.id);
          edge.optional &&= optional;
        }
      }
    }
  }
  return [...byPair.values()].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to));
}

/** `sessions.service@1.2.0` or `sessions.service@^1.0.0` → id and version (without the caret). */
function splitRef(entry: string): { id: string; version: string } {
  const at = entry.lastIndexOf('@');
  if (at <= 0) return { id: entry, version: '' };
  return { id: entry.slice(0, at), version: entry.slice(at + 1).replace(/^\^/, '') };
}

/** npm's caret rule for plain `major.minor.patch` versions: the left-most non-zero part is fixed. */
export function satisfiesCaret(version: string, range: string): boolean {
  const have = parts(version);
  const want = parts(range);
  if (have === undefined || want === undefined) return version === range;
  const fixed = want[0] !== 0 ? 1 : want[1] !== 0 ? 2 : 3;
  for (let i = 0; i < fixed; i++) if (have[i] !== want[i]) return false;
  for (let i = 0; i < 3; i++) if (have[i] !== want[i]) return have[i]! > want[i]!;
  return true;
}

function parts(version: string): number[] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/**
 * Longest path to a bundle that consumes nothing. Required edges always count. An optional edge
 * counts only when its provider does not itself require the consumer (admin optionally reads the
 * metrics of pns-impl, which requires admin's authentication: pns-impl belongs above admin). Any
 * cycle left (only among broken bundles) is cut where the walk finds it.
 */
function layersOf(names: readonly string[], edges: readonly GraphEdge[]): Map<string, number> {
  const required = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const edge of edges) if (!edge.optional) required.get(edge.from)!.push(edge.to);
  const requiresTransitively = (from: string, target: string): boolean => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (name === target) return true;
      if (seen.has(name)) continue;
      seen.add(name);
      stack.push(...(required.get(name) ?? []));
    }
    return false;
  };
  const providersOf = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const edge of edges) {
    if (!edge.optional || !requiresTransitively(edge.to, edge.from)) providersOf.get(edge.from)!.push(edge.to);
  }

  const layer = new Map<string, number>();
  const onPath = new Set<string>();
  const visit = (name: string): number => {
    const known = layer.get(name);
    if (known !== undefined) return known;
    onPath.add(name);
    let depth = 0;
    for (const provider of providersOf.get(name) ?? []) {
      if (onPath.has(provider)) continue;
      depth = Math.max(depth, visit(provider) + 1);
    }
    onPath.delete(name);
    layer.set(name, depth);
    return depth;
  };
  for (const name of names) visit(name);
  return layer;
}

/**
 * Barycenter ordering: sweeping up, each node moves to the mean position of its providers in lower
 * layers; sweeping down, to the mean of its consumers. Ties keep the previous order, so the result
 * is stable for the same bundles.
 */
function orderWithinLayers(names: readonly string[], layer: ReadonlyMap<string, number>, layerCount: number, edges: readonly GraphEdge[]): Map<string, number> {
  const rows: string[][] = Array.from({ length: layerCount }, () => []);
  for (const name of names) rows[layer.get(name)!]!.push(name);
  const position = new Map<string, number>();
  const place = (row: readonly string[]) => row.forEach((name, index) => position.set(name, index));
  rows.forEach(place);

  const below = new Map<string, string[]>(names.map((n) => [n, []]));
  const above = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const edge of edges) {
    if (layer.get(edge.to)! < layer.get(edge.from)!) {
      below.get(edge.from)!.push(edge.to);
      above.get(edge.to)!.push(edge.from);
    }
  }
  const reorder = (row: string[], neighbours: ReadonlyMap<string, readonly string[]>) => {
    const weight = new Map(row.map((name) => {
      const linked = neighbours.get(name)!;
      return [name, linked.length === 0 ? position.get(name)! : linked.reduce((sum, n) => sum + position.get(n)!, 0) / linked.length] as const;
    }));
    row.sort((a, b) => weight.get(a)! - weight.get(b)! || position.get(a)! - position.get(b)!);
    place(row);
  };
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    for (let i = 1; i < rows.length; i++) reorder(rows[i]!, below);
    for (let i = rows.length - 2; i >= 0; i--) reorder(rows[i]!, above);
  }
  return position;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
