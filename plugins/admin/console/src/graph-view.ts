import type { Api } from './api.js';
import type { BundleGraph, BundleState, GraphNode } from './api-types.js';
import { el, message, svg } from './dom.js';
import { describeError } from './format.js';
import type { View } from './view.js';

// Layers become horizontal bands: bundles that consume nothing at the bottom, their consumers
// above, every arrow pointing down from a consumer to its provider. A band wraps after a few
// nodes, so ~30 bundles (the PNS transports share one layer) stay within a screen's width.
const NODE_WIDTH = 180;
const NODE_HEIGHT = 30;
const NODE_GAP = 26;
const LINE_GAP = 14;
const BAND_GAP = 58;
const PER_LINE = 6;
const MARGIN = 20;
const MAX_LABEL = 24;

const STATES: readonly BundleState[] = ['ACTIVE', 'STARTING', 'STOPPING', 'RESOLVED', 'INSTALLED', 'UNINSTALLED'];

interface Placed {
  node: GraphNode;
  x: number;
  y: number;
}

function place(graph: BundleGraph): { placed: Map<string, Placed>; width: number; height: number } {
  const perLayer = new Array<number>(graph.layers).fill(0);
  for (const node of graph.nodes) perLayer[node.layer] = Math.max(perLayer[node.layer] ?? 0, node.order + 1);
  const widest = Math.min(PER_LINE, Math.max(1, ...perLayer));
  const width = MARGIN * 2 + widest * NODE_WIDTH + (widest - 1) * NODE_GAP;
  const lines = perLayer.map((count) => Math.max(1, Math.ceil(count / PER_LINE)));
  // Top of each band, the highest layer first.
  const bandTop = new Array<number>(graph.layers).fill(0);
  let y = MARGIN;
  for (let layer = graph.layers - 1; layer >= 0; layer--) {
    bandTop[layer] = y;
    y += lines[layer]! * NODE_HEIGHT + (lines[layer]! - 1) * LINE_GAP + BAND_GAP;
  }
  const height = Math.max(y - BAND_GAP + MARGIN, MARGIN * 2 + NODE_HEIGHT);
  const placed = new Map<string, Placed>();
  for (const node of graph.nodes) {
    const line = Math.floor(node.order / PER_LINE);
    const column = node.order % PER_LINE;
    const onLine = Math.min(PER_LINE, (perLayer[node.layer] ?? 1) - line * PER_LINE);
    // Lines shorter than the widest are centred.
    const offset = ((widest - onLine) * (NODE_WIDTH + NODE_GAP)) / 2;
    placed.set(node.name, {
      node,
      x: MARGIN + offset + column * (NODE_WIDTH + NODE_GAP),
      y: bandTop[node.layer]! + line * (NODE_HEIGHT + LINE_GAP),
    });
  }
  return { placed, width, height };
}

/** Where an edge leaves or enters a node: spread along the side, so parallel edges stay apart. */
function spread(placed: Placed, index: number, count: number): number {
  return placed.x + (NODE_WIDTH * (index + 1)) / (count + 1);
}

function edgePath(from: Placed, to: Placed, out: [number, number], into: [number, number]): string {
  const x1 = spread(from, ...out);
  const x2 = spread(to, ...into);
  if (to.y > from.y) {
    // The usual case: from the consumer's bottom down to the provider's top.
    const y1 = from.y + NODE_HEIGHT;
    const y2 = to.y;
    const bend = Math.max(24, (y2 - y1) / 2);
    return `M${x1},${y1} C${x1},${y1 + bend} ${x2},${y2 - bend} ${x2},${y2}`;
  }
  if (to.y < from.y) {
    // An optional reference to a bundle that needs the consumer (admin reading pns-impl's metrics): up.
    const y1 = from.y;
    const y2 = to.y + NODE_HEIGHT;
    const bend = Math.max(24, (y1 - y2) / 2);
    return `M${x1},${y1} C${x1},${y1 - bend} ${x2},${y2 + bend} ${x2},${y2}`;
  }
  // Same line: loop out below both nodes.
  const y = from.y + NODE_HEIGHT;
  return `M${x1},${y} C${x1},${y + LINE_GAP * 2} ${x2},${y + LINE_GAP * 2} ${x2},${y}`;
}

function label(name: string): string {
  return name.length > MAX_LABEL ? `${name.slice(0, MAX_LABEL - 1)}…` : name;
}

/** The picture: one `g.node[data-bundle]` per bundle, one `path.edge[data-from][data-to]` per consumer → provider pair. */
export function drawGraph(graph: BundleGraph): SVGSVGElement {
  const { placed, width, height } = place(graph);
  const picture = svg('svg', {
    class: 'graph',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `Dependency graph of ${graph.nodes.length} bundles`,
  });
  picture.append(svg('defs', {},
    svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }))));

  const edges = svg('g', { class: 'edges' });
  // Each node's edges in left-to-right order of the other end, for spreading their end points.
  const xOf = (name: string) => placed.get(name)?.x ?? 0;
  const outgoing = (name: string) => graph.edges.filter((e) => e.from === name).sort((a, b) => xOf(a.to) - xOf(b.to));
  const incoming = (name: string) => graph.edges.filter((e) => e.to === name).sort((a, b) => xOf(a.from) - xOf(b.from));
  for (const edge of graph.edges) {
    const from = placed.get(edge.from);
    const to = placed.get(edge.to);
    if (from === undefined || to === undefined) continue;
    const out = outgoing(edge.from);
    const into = incoming(edge.to);
    edges.append(svg('path', {
      class: edge.optional ? 'edge optional' : 'edge',
      d: edgePath(from, to, [out.indexOf(edge), out.length], [into.indexOf(edge), into.length]),
      'data-from': edge.from,
      'data-to': edge.to,
      'data-optional': edge.optional,
      'marker-end': 'url(#arrow)',
      'stroke-dasharray': edge.optional ? '5 4' : undefined,
    }, svg('title', {}, `${edge.from} → ${edge.to}${edge.optional ? ' (optional)' : ''}: ${edge.services.join(', ')}`)));
  }

  const nodes = svg('g', { class: 'nodes' });
  for (const { node, x, y } of placed.values()) {
    const group = svg('g', {
      class: `node state-${node.state}${node.errorCode !== undefined ? ' failed' : ''}`,
      transform: `translate(${x},${y})`,
      'data-bundle': node.name,
      'data-state': node.state,
      tabindex: 0,
    },
    svg('title', {}, `${node.name} ${node.version}: ${node.state}${node.status === 'disabled' ? ' (disabled)' : ''}${node.errorCode !== undefined ? ` — ${node.errorCode}` : ''}`),
    svg('rect', { width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6, ry: 6 }),
    svg('text', { x: NODE_WIDTH / 2, y: NODE_HEIGHT / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, label(node.name)));
    // Hovering or focusing a bundle lights up its edges: with 30 bundles, the lines are otherwise hard to follow.
    const related = () => edges.querySelectorAll(`path[data-from="${CSS.escape(node.name)}"], path[data-to="${CSS.escape(node.name)}"]`);
    const highlight = (on: boolean) => {
      picture.classList.toggle('focused', on);
      for (const path of related()) path.classList.toggle('highlight', on);
    };
    group.addEventListener('mouseenter', () => highlight(true));
    group.addEventListener('mouseleave', () => highlight(false));
    group.addEventListener('focus', () => highlight(true));
    group.addEventListener('blur', () => highlight(false));
    nodes.append(group);
  }
  picture.append(edges, nodes);
  return picture;
}

function legend(): HTMLElement {
  return el('ul', { class: 'legend' },
    ...STATES.map((state) => el('li', {}, el('span', { class: `swatch state-${state}` }), state)),
    el('li', {}, el('span', { class: 'line required' }), 'requires'),
    el('li', {}, el('span', { class: 'line optional' }), 'optional'));
}

export const graphView: View = {
  id: 'graph',
  title: 'Dependency graph',
  mount(container, api: Api) {
    const holder = el('div', { class: 'graph-holder' }, message('info', 'Loading…'));
    container.append(
      el('h2', {}, 'Dependency graph'),
      el('p', { class: 'hint' }, 'Arrows point from a consumer down to the bundle that provides what it needs; bundles that need nothing are at the bottom. Point at a bundle to follow its edges.'),
      legend(),
      holder,
    );
    api.get<BundleGraph>('bundle-graph').then(
      (graph) => holder.replaceChildren(drawGraph(graph)),
      (error: unknown) => holder.replaceChildren(message('error', describeError(error))),
    );
  },
};
