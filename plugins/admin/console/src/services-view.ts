import type { Api } from './api.js';
import type { ServiceInfo } from './api-types.js';
import { el, message, table } from './dom.js';
import { describeError } from './format.js';
import type { View } from './view.js';

function properties(value: Record<string, unknown>): string {
  const entries = Object.entries(value);
  return entries.length === 0 ? '' : entries.map(([name, v]) => `${name}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
}

/** The registry in lookup order: per service id, the first row is what a plain `get` returns. */
export const servicesView: View = {
  id: 'services',
  title: 'Services',
  mount(container, api: Api) {
    const filter = el('input', { type: 'search', placeholder: 'Filter by service or bundle', 'aria-label': 'Filter services' });
    const holder = el('div', { class: 'table-holder' }, message('info', 'Loading…'));
    container.append(el('h2', {}, 'Service registry'), el('div', { class: 'toolbar' }, filter), holder);
    let services: ServiceInfo[] = [];

    const render = () => {
      const text = filter.value.trim().toLowerCase();
      const shown = services.filter((s) => text === '' || s.id.toLowerCase().includes(text) || s.bundle.toLowerCase().includes(text));
      const providers = new Map<string, number>();
      for (const service of services) providers.set(service.id, (providers.get(service.id) ?? 0) + 1);
      let previous: string | undefined;
      const rows = shown.map((service) => {
        // Only where several bundles offer the same service does it matter which one a lookup gets.
        const first = service.id !== previous && providers.get(service.id)! > 1;
        previous = service.id;
        return el('tr', { 'data-service': service.id, 'data-bundle': service.bundle, class: first ? 'preferred' : undefined },
          el('th', { scope: 'row' }, el('code', {}, service.id)),
          el('td', {}, service.version),
          el('td', { class: 'bundle' }, service.bundle),
          el('td', { class: 'ranking number' }, service.ranking),
          el('td', { class: 'number' }, service.serviceId),
          el('td', {}, first ? el('span', { class: 'badge preferred', title: 'Highest ranking: what a single lookup gets (multiple references see every provider)' }, 'preferred') : ''),
          el('td', { class: 'properties' }, properties(service.properties)));
      });
      holder.replaceChildren(table(['Service', 'Version', 'Bundle', 'Ranking', 'Service id', '', 'Properties'], rows, { class: 'services', 'data-count': shown.length }));
    };
    filter.addEventListener('input', render);

    api.get<{ services: ServiceInfo[] }>('services').then(
      (answer) => {
        // Ranking order within an id (highest first, then registration order), as the registry answers lookups.
        services = answer.services.sort((a, b) => a.id.localeCompare(b.id) || b.ranking - a.ranking || a.serviceId - b.serviceId);
        render();
      },
      (error: unknown) => holder.replaceChildren(message('error', describeError(error))),
    );
  },
};
