import type { Api } from './api.js';
import type { CascadeScope, ExplainAnswer } from './api-types.js';
import { el, message, table } from './dom.js';
import { describeError } from './format.js';
import type { View } from './view.js';

const SCOPES: ReadonlyArray<{ scope: CascadeScope; title: string }> = [
  { scope: 'user', title: 'User' },
  { scope: 'context', title: 'Context' },
  { scope: 'contextSets', title: 'Context sets' },
  { scope: 'server', title: 'Server' },
];

function field(label: string, input: HTMLInputElement): HTMLLabelElement {
  return el('label', {}, el('span', {}, label), input);
}

function result(answer: ExplainAnswer): HTMLElement {
  const rows = SCOPES.map(({ scope, title }) => {
    const value = answer.values.find((v) => v.scope === scope);
    const wins = answer.winner?.scope === scope;
    return el('tr', { 'data-scope': scope, class: wins ? 'winner' : value === undefined ? 'empty' : undefined },
      el('th', { scope: 'row' }, title, scope === 'user' && answer.userId === undefined ? el('span', { class: 'hint' }, ' (no user given)') : null),
      el('td', { class: 'value' }, value === undefined ? '—' : el('code', {}, value.value)),
      el('td', { class: 'source' }, value?.source !== undefined ? `set ${value.source}` : ''),
      el('td', { class: 'marks' },
        wins ? el('span', { class: 'badge wins' }, 'wins') : null,
        answer.finalAt === scope ? el('span', { class: 'badge final' }, 'final') : null));
  });
  const subject = `context ${answer.contextId}${answer.userId !== undefined ? `, user ${answer.userId}` : ''}`;
  return el('div', { class: 'explain', 'data-property': answer.property },
    el('p', { class: 'verdict' }, answer.winner
      ? `${answer.property} for ${subject} is '${answer.winner.value}', from the ${answer.winner.scope} scope${answer.finalAt !== undefined ? ` (final at ${answer.finalAt})` : ''}.`
      : `${answer.property} has no value for ${subject}.`),
    answer.redacted ? message('info', 'Values hidden: the property name looks like a secret.') : null,
    table(['Scope', 'Value', 'From', ''], rows, { class: 'cascade' }));
}

/** Which scope gives a property its value for one context (and user): `GET /admin/v1/config/explain`. */
export const configView: View = {
  id: 'config',
  title: 'Config cascade',
  mount(container, api: Api) {
    const property = el('input', { name: 'property', required: true, placeholder: 'com.openexchange.…', size: 48, autocomplete: 'off' });
    const context = el('input', { name: 'context', required: true, inputmode: 'numeric', pattern: '[0-9]+', size: 8 });
    const user = el('input', { name: 'user', inputmode: 'numeric', pattern: '[0-9]*', size: 8, placeholder: 'optional' });
    const form = el('form', { class: 'explain-form' },
      field('Property', property), field('Context id', context), field('User id', user),
      el('button', { type: 'submit' }, 'Explain'));
    const output = el('div', { class: 'explain-output', 'aria-live': 'polite' });
    container.append(el('h2', {}, 'Config cascade'),
      el('p', { class: 'hint' }, 'Lookups go user → context → context sets → server; the first value wins unless a scope is declared final.'),
      form, output);

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const query = new URLSearchParams({ property: property.value.trim(), context: context.value.trim() });
      if (user.value.trim() !== '') query.set('user', user.value.trim());
      output.replaceChildren(message('info', 'Looking up…'));
      api.get<ExplainAnswer>(`config/explain?${query.toString()}`).then(
        (answer) => output.replaceChildren(result(answer)),
        (error: unknown) => output.replaceChildren(message('error', describeError(error), { 'data-outcome': 'error' })),
      );
    });
  },
};
