import type { Api } from './api.js';

/** One tab of the console. `mount` fills the container; the returned function stops timers. */
export interface View {
  readonly id: string;
  readonly title: string;
  mount(container: HTMLElement, api: Api): (() => void) | void;
}
