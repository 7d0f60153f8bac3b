import { ApiError, type Api } from './api.js';
import type { PushRegistration, RunningPushListener } from './api-types.js';
import { el, message, table } from './dom.js';
import { describeError } from './format.js';
import type { View } from './view.js';

/** The push routes belong to the push bundle: 503 while it is stopped, 404 when it is not installed. */
function pushInactive(error: unknown): boolean {
  return error instanceof ApiError && (error.code === 'KEEL-BUNDLE-INACTIVE' || error.status === 404 || error.status === 503);
}

export const pushView: View = {
  id: 'push',
  title: 'Push users',
  mount(container, api: Api) {
    const holder = el('div', {}, message('info', 'Loading…'));
    container.append(el('h2', {}, 'Push users'), holder);

    Promise.all([
      api.get<{ listeners: RunningPushListener[] }>('push/listeners'),
      api.get<{ registrations: PushRegistration[]; permanentPushPossible: boolean }>('push/registrations'),
    ]).then(
      ([{ listeners }, { registrations, permanentPushPossible }]) => {
        holder.replaceChildren(
          el('p', { class: 'hint' }, `Permanent push is ${permanentPushPossible ? '' : 'not '}possible on this node.`),
          el('h3', {}, `Listeners running on this node (${listeners.length})`),
          listeners.length === 0
            ? message('info', 'No listeners running.', { 'data-empty': 'listeners' })
            : table(['Context', 'User', 'Manager', 'Client', 'Kind'], listeners.map((l) => el('tr', {},
              el('td', { class: 'number' }, l.contextId), el('td', { class: 'number' }, l.userId), el('td', {}, l.manager),
              el('td', {}, l.client), el('td', {}, l.permanent ? 'permanent' : 'session'))), { class: 'push-listeners' }),
          el('h3', {}, `Permanent registrations (${registrations.length})`),
          registrations.length === 0
            ? message('info', 'No registrations.', { 'data-empty': 'registrations' })
            : table(['Context', 'User', 'Client'], registrations.map((r) => el('tr', {},
              el('td', { class: 'number' }, r.contextId), el('td', { class: 'number' }, r.userId), el('td', {}, r.client))), { class: 'push-registrations' }),
        );
      },
      (error: unknown) => holder.replaceChildren(pushInactive(error)
        ? message('info', 'push bundle not active', { 'data-push': 'inactive', title: describeError(error) })
        : message('error', describeError(error))),
    );
  },
};
