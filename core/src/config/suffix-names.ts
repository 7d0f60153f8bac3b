/**
 * The candidate names of a suffix fallback, `[base, base.s1, base.s1.s2, …]`, memoized.
 *
 * Why: switchFor runs per notification and transport, and a freshly concatenated name costs more to
 * hash on its first Map lookup (flatten + hash, ~150 ns) than the whole rest of a cascade lookup.
 * The base is a literal and the suffixes (client, topic) are long-lived strings whose hashes are
 * cached, so walking a trie of Maps keyed by them and reusing the stored names is several times faster.
 */
interface Node {
  names: string[];
  children: Map<string, Node> | undefined;
}

const MAX_NODES = 10_000; // names can carry caller-supplied suffixes: bound the memo, start over when full
const roots = new Map<string, Node>();
let nodes = 0;

export function suffixNames(base: string, suffixes: readonly string[]): readonly string[] {
  let node: Node | undefined = roots.get(base);
  if (node === undefined) {
    if (nodes >= MAX_NODES) reset();
    node = { names: [base], children: undefined };
    roots.set(base, node);
    nodes++;
  }
  for (const suffix of suffixes) {
    let child: Node | undefined = node.children?.get(suffix);
    if (child === undefined) {
      if (nodes >= MAX_NODES) return build(base, suffixes); // do not reset mid-walk
      child = { names: [...node.names, node.names[node.names.length - 1] + '.' + suffix], children: undefined };
      (node.children ??= new Map()).set(suffix, child);
      nodes++;
    }
    node = child;
  }
  return node.names;
}

function build(base: string, suffixes: readonly string[]): string[] {
  const names = [base];
  for (const suffix of suffixes) names.push(names[names.length - 1] + '.' + suffix);
  return names;
}

function reset(): void {
  roots.clear();
  nodes = 0;
}
