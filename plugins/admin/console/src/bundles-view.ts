import type { Api } from './api.js';
import type { BundleInfo } from './api-types.js';
import { button, el, message, table } from './dom.js';
import { describeError, refLabel } from './format.js';
import type { View } from './view.js';

/** The bundle that serves the console: stopping it through its own API is refused (ADM-0003). */
const SELF = 'admin';

function refList(entries: readonly string[], kind: string): HTMLElement | string {
  if (entries.length === 0) return '';
  return el('ul', { class: `refs ${kind}` }, ...entries.map((entry) => el('li', {}, el('code', {}, refLabel(entry)))));
}

function row(bundle: BundleInfo, act: (name: string, action: 'start' | 'stop') => void): HTMLTableRowElement {
  const startable = bundle.status === 'enabled' && (bundle.state === 'RESOLVED' || bundle.state === 'INSTALLED');
  const stoppable = bundle.state === 'ACTIVE' && bundle.name !== SELF;
  const consumes = el('td', { class: 'consumes' }, refList(bundle.requires, 'required'));
  if (bundle.optional.length > 0) consumes.append(el('span', { class: 'hint' }, 'optional'), refList(bundle.optional, 'optional'));
  return el('tr', { 'data-bundle': bundle.name },
    el('th', { scope: 'row', class: 'name' }, bundle.name),
    el('td', { class: 'state' }, el('span', { class: `badge state-${bundle.state}` }, bundle.state)),
    el('td', { class: 'version' }, bundle.version),
    el('td', { class: 'status' }, bundle.status),
    el('td', { class: 'error' }, bundle.error ? el('span', {}, el('code', {}, bundle.error.code), ' ', bundle.error.message) : ''),
    el('td', { class: 'provides' }, refList(bundle.provides, 'provided')),
    consumes,
    el('td', { class: 'actions' },
      button('Start', () => act(bundle.name, 'start'), { class: 'start', disabled: !startable }),
      button('Stop', () => act(bundle.name, 'stop'), {
        class: 'stop',
        disabled: !stoppable,
        title: bundle.name === SELF ? 'The admin bundle serves this console and cannot stop itself' : undefined,
      })),
  );
}

export const bundlesView: View = {
  id: 'bundles',
  title: 'Bundles',
  mount(container, api: Api) {
    const status = el('div', { class: 'status-line', 'aria-live': 'polite' });
    const holder = el('div', { class: 'table-holder' });
    // Bundles also change underneath (reload, a provider going away): reading again is one click.
    const reload = button('Refresh', () => void refresh(), { class: 'refresh' });
    container.append(el('div', { class: 'toolbar' }, el('h2', {}, 'Bundles'), reload), status, holder);
    let busy = false;

    async function refresh(): Promise<void> {
      try {
        const { bundles } = await api.get<{ bundles: BundleInfo[] }>('bundles');
        bundles.sort((a, b) => a.name.localeCompare(b.name));
        holder.replaceChildren(table(
          ['Bundle', 'State', 'Version', 'Status', 'Error', 'Provides', 'Consumes', ''],
          bundles.map((bundle) => row(bundle, (name, action) => void act(name, action))),
          { class: 'bundles', 'data-count': bundles.length },
        ));
      } catch (error) {
        holder.replaceChildren(message('error', describeError(error)));
      }
    }

    async function act(name: string, action: 'start' | 'stop'): Promise<void> {
      if (busy) return;
      busy = true;
      for (const control of holder.querySelectorAll('button')) control.disabled = true;
      status.replaceChildren(message('info', `${action === 'start' ? 'Starting' : 'Stopping'} ${name}…`));
      try {
        const info = await api.post<BundleInfo>(`bundles/${encodeURIComponent(name)}/${action}`);
        status.replaceChildren(message('info', `${name} is ${info.state}`, { 'data-outcome': 'ok' }));
      } catch (error) {
        status.replaceChildren(message('error', `${name}: ${describeError(error)}`, { 'data-outcome': 'error' }));
      } finally {
        busy = false;
        await refresh();
      }
    }

    void refresh();
  },
};
