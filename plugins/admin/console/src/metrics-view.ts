import type { Api } from './api.js';
import type { MetricFamily, MetricSample, MetricsSnapshot } from './api-types.js';
import { el, message, table } from './dom.js';
import { describeError, formatNumber, labelText } from './format.js';
import type { View } from './view.js';

const POLL_MS = 2_000;
const PNS_PREFIX = 'keel_pns_';

/** Per sample: the value seen last, and its last change (kept until the next one, so it can be read). */
interface Seen {
  value: number;
  change?: number;
  at?: Date;
}
type Previous = Map<string, Seen>;

const keyOf = (family: string, sample: MetricSample) => `${family}{${labelText(sample.labels)}}`;

/** A value cell tests and scripts can find: `td.metric-value[data-family][data-labels]`. */
function valueCell(family: string, sample: MetricSample | undefined): HTMLTableCellElement {
  return el('td', { class: 'metric-value number', 'data-family': family, 'data-labels': labelText(sample?.labels) }, sample ? formatNumber(sample.value) : '—');
}

function change(family: MetricFamily, sample: MetricSample, previous: Previous): string {
  const seen = previous.get(keyOf(family.name, sample));
  if (seen?.change === undefined || seen.at === undefined) return '';
  return `${seen.change > 0 ? '+' : ''}${formatNumber(seen.change)} at ${seen.at.toLocaleTimeString()}`;
}

/** Remembers every sample's value and when it last changed. */
function remember(previous: Previous, families: Iterable<MetricFamily>, at: Date): void {
  for (const family of families) {
    for (const sample of family.samples) {
      if (sample.value === null) continue;
      const key = keyOf(family.name, sample);
      const seen = previous.get(key);
      if (seen === undefined) previous.set(key, { value: sample.value });
      else if (seen.value !== sample.value) previous.set(key, { value: sample.value, change: sample.value - seen.value, at });
    }
  }
}

function familyTable(family: MetricFamily, previous: Previous): HTMLElement {
  const rows = family.samples.map((sample) => el('tr', {},
    el('td', { class: 'labels' }, labelText(sample.labels) || '(no labels)'),
    valueCell(family.name, sample),
    el('td', { class: 'delta number' }, change(family, sample, previous))));
  return el('section', { class: 'family', 'data-family': family.name },
    el('h4', {}, el('code', {}, family.name), ' ', el('span', { class: 'badge' }, family.type)),
    family.help !== '' ? el('p', { class: 'hint' }, family.help) : null,
    rows.length === 0 ? message('info', 'No samples.') : table(['Labels', 'Value', 'Last change'], rows));
}

function samplesBy(family: MetricFamily | undefined, label: string): Map<string, MetricSample> {
  return new Map((family?.samples ?? []).map((sample) => [sample.labels?.[label] ?? '', sample]));
}

/** The PNS figures an operator looks at first: queue, handled, and per transport delivered / failed. */
function pnsPanel(families: ReadonlyMap<string, MetricFamily>): HTMLElement {
  const handled = families.get('keel_pns_notifications_handled_total');
  const queue = families.get('keel_pns_queue_depth');
  const delivered = samplesBy(families.get('keel_pns_delivered_total'), 'transport');
  const failed = samplesBy(families.get('keel_pns_failed_total'), 'transport');
  const panel = el('section', { class: 'pns-panel', 'data-panel': 'pns' }, el('h3', {}, 'Push notifications'));
  if (![...families.keys()].some((name) => name.startsWith(PNS_PREFIX))) {
    panel.append(message('info', 'No PNS figures: pns-impl is not active or registers no metrics source.', { 'data-pns': 'absent' }));
    return panel;
  }
  const card = (title: string, content: Node) => el('div', { class: 'card' }, el('h4', {}, title), content);
  const handledTable = table([], [el('tr', {}, valueCell('keel_pns_notifications_handled_total', handled?.samples[0]))], { class: 'figure' });
  const queueTable = table(['Stage', 'Depth'], (queue?.samples ?? []).map((sample) =>
    el('tr', {}, el('td', {}, sample.labels?.['stage'] ?? ''), valueCell('keel_pns_queue_depth', sample))));
  const transports = [...new Set([...delivered.keys(), ...failed.keys()])].sort();
  const transportTable = table(['Transport', 'Delivered', 'Failed'], transports.map((transport) => el('tr', { 'data-transport': transport },
    el('td', {}, transport), valueCell('keel_pns_delivered_total', delivered.get(transport)), valueCell('keel_pns_failed_total', failed.get(transport)))));
  panel.append(el('div', { class: 'cards' },
    card('Notifications handled', handledTable),
    card('Queue depth', queue ? queueTable : message('info', 'not reported')),
    card('Per transport', transports.length > 0 ? transportTable : message('info', 'no deliveries yet'))));
  return panel;
}

export const metricsView: View = {
  id: 'metrics',
  title: 'Live figures',
  mount(container, api: Api) {
    const updated = el('p', { class: 'status-line', 'aria-live': 'off', 'data-polls': 0 }, 'Loading…');
    const pns = el('div');
    const sources = el('div', { class: 'sources' });
    container.append(el('h2', {}, 'Live figures'), updated, pns, el('h3', {}, 'All sources'), sources);
    const previous: Previous = new Map();
    let polls = 0;
    let stopped = false;
    let timer: number | undefined;

    async function poll(): Promise<void> {
      try {
        const snapshot = await api.get<MetricsSnapshot>('metrics');
        if (stopped) return;
        const all = new Map<string, MetricFamily>();
        for (const source of snapshot.sources) for (const family of source.families ?? []) if (!all.has(family.name)) all.set(family.name, family);
        remember(previous, snapshot.sources.flatMap((source) => source.families ?? []), new Date(snapshot.collectedAt));
        pns.replaceChildren(pnsPanel(all));
        sources.replaceChildren(...(snapshot.sources.length === 0
          ? [message('info', 'No bundle registers a metrics source.')]
          : [...snapshot.sources].sort((a, b) => a.name.localeCompare(b.name)).map((source) => el('section', { class: 'source', 'data-source': source.name },
            el('h3', {}, source.name, source.bundle !== source.name ? el('span', { class: 'hint' }, ` (bundle ${source.bundle})`) : null),
            source.error !== undefined ? message('error', `collect failed: ${source.error}`) : null,
            ...(source.families ?? []).map((family) => familyTable(family, previous))))));
        polls += 1;
        updated.setAttribute('data-polls', String(polls));
        updated.textContent = `Updated ${new Date(snapshot.collectedAt).toLocaleTimeString()} · refreshes every ${POLL_MS / 1000} s`;
      } catch (error) {
        if (!stopped) updated.replaceChildren(message('error', describeError(error)));
      } finally {
        if (!stopped) timer = window.setTimeout(() => void poll(), POLL_MS);
      }
    }

    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  },
};
