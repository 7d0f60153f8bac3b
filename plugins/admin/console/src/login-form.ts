import { ApiError, createApi } from './api.js';
import { el, message } from './dom.js';
import { describeError } from './format.js';
import type { Credentials } from './session.js';

/** Why the last session ended (wrong credentials, lockout), shown above the form. */
export function loginError(error: ApiError): string {
  if (error.status === 429 && error.retryAfterSeconds !== undefined) {
    // The server's message counts seconds from when it answered; the clock time stays true while the form waits.
    const until = new Date(Date.now() + error.retryAfterSeconds * 1000).toLocaleTimeString();
    return `${error.describe()} (until ${until})`;
  }
  return error.describe();
}

/**
 * The master admin login. The credentials are tried against `GET /admin/v1/bundles` before they are
 * kept, so a typo shows ADM-0001 here instead of failing every view.
 */
export function loginForm(onLogin: (credentials: Credentials) => void, initialError?: string): HTMLElement {
  const login = el('input', { name: 'login', autocomplete: 'username', required: true, value: 'oxadminmaster' });
  const password = el('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = el('button', { type: 'submit' }, 'Log in');
  const feedback = el('div', { class: 'login-feedback', 'aria-live': 'assertive' });
  if (initialError !== undefined) feedback.append(message('error', initialError, { 'data-error': 'login' }));
  const form = el('form', { class: 'login' },
    el('h2', {}, 'Master admin login'),
    el('label', {}, el('span', {}, 'Login'), login),
    el('label', {}, el('span', {}, 'Password'), password),
    submit, feedback);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const credentials = { login: login.value.trim(), password: password.value };
    submit.disabled = true;
    feedback.replaceChildren(message('info', 'Checking…'));
    createApi(credentials, () => undefined).get('bundles').then(
      () => onLogin(credentials),
      (error: unknown) => {
        submit.disabled = false;
        password.value = '';
        password.focus();
        feedback.replaceChildren(message('error', error instanceof ApiError ? loginError(error) : describeError(error), { 'data-error': 'login' }));
      },
    );
  });
  return form;
}
