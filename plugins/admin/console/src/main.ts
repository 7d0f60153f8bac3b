import { createApi, type ApiError } from './api.js';
import { bundlesView } from './bundles-view.js';
import { configView } from './config-view.js';
import { el } from './dom.js';
import { graphView } from './graph-view.js';
import { loginError, loginForm } from './login-form.js';
import { metricsView } from './metrics-view.js';
import { pushView } from './push-view.js';
import { servicesView } from './services-view.js';
import { forgetCredentials, storeCredentials, storedCredentials, type Credentials } from './session.js';
import type { View } from './view.js';

const VIEWS: readonly View[] = [bundlesView, graphView, servicesView, pushView, metricsView, configView];

const root = document.getElementById('app');
const who = document.getElementById('who');
if (root === null || who === null) throw new Error('index.html lacks #app or #who');
const app: HTMLElement = root;
const account: HTMLElement = who;

let unmount: (() => void) | undefined;

function showLogin(error?: string): void {
  unmount?.();
  unmount = undefined;
  window.onhashchange = null;
  account.replaceChildren();
  app.replaceChildren(loginForm((credentials) => {
    storeCredentials(credentials);
    showConsole(credentials);
  }, error));
  app.querySelector<HTMLInputElement>('input[name=password]')?.focus();
}

function logout(error?: ApiError): void {
  forgetCredentials();
  if (location.hash !== '') history.replaceState(null, '', location.pathname);
  showLogin(error === undefined ? undefined : loginError(error));
}

function showConsole(credentials: Credentials): void {
  const api = createApi(credentials, (error) => logout(error));
  const tabs = el('nav', { class: 'tabs', 'aria-label': 'Views' });
  const content = el('main', { class: 'view' });
  const logoutButton = el('button', { type: 'button', class: 'logout' }, 'Log out');
  logoutButton.addEventListener('click', () => logout());
  account.replaceChildren(el('span', {}, credentials.login), logoutButton);
  app.replaceChildren(tabs, content);

  const show = () => {
    const view = VIEWS.find((v) => `#${v.id}` === location.hash) ?? VIEWS[0]!;
    unmount?.();
    for (const link of tabs.querySelectorAll('a')) {
      if (link.dataset['view'] === view.id) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    content.replaceChildren();
    content.dataset['view'] = view.id;
    unmount = view.mount(content, api) ?? undefined;
  };
  tabs.append(...VIEWS.map((view) => el('a', { href: `#${view.id}`, 'data-view': view.id }, view.title)));
  window.onhashchange = show;
  show();
}

const remembered = storedCredentials();
if (remembered !== undefined) showConsole(remembered);
else showLogin();
