// Building the DOM without HTML strings: the page's CSP allows no inline code, and text set through
// textContent can never become markup, whatever a bundle name or a config value contains.

export type Attributes = Record<string, string | number | boolean | undefined>;
export type Child = Node | string | number | null | undefined | false;

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(element: Element, attributes: Attributes, children: readonly Child[]): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
}

/** `el('td', { class: 'state' }, 'ACTIVE')`; boolean attributes are set when true, left out when false. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  apply(element, attributes, children);
  return element;
}

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  apply(element, attributes, children);
  return element;
}

export function button(label: string, onClick: () => void, attributes: Attributes = {}): HTMLButtonElement {
  const element = el('button', { type: 'button', ...attributes }, label);
  element.addEventListener('click', onClick);
  return element;
}

/** A table with a header row; `rows` are lists of cells (strings or nodes). */
export function table(headers: readonly string[], rows: readonly HTMLTableRowElement[], attributes: Attributes = {}): HTMLTableElement {
  return el('table', attributes, el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, ...rows));
}

export function message(kind: 'info' | 'error', text: string, attributes: Attributes = {}): HTMLParagraphElement {
  return el('p', { class: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status', ...attributes }, text);
}
