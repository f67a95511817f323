/** A tiny element builder: attributes are set as attributes (never `style`), children appended in order. */
export type Child = Node | string | null | undefined | false;

export interface ElementOptions {
  className?: string;
  attrs?: Record<string, string | undefined>;
  text?: string;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (options.className) el.className = options.className;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (value !== undefined) el.setAttribute(name, value);
  }
  if (options.text !== undefined) el.textContent = options.text;
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** A codicon glyph from the page's codicon stylesheet; decorative unless labelled. */
export function codicon(name: string, options: { spin?: boolean; label?: string } = {}): HTMLSpanElement {
  const classes = ['codicon', `codicon-${name}`];
  if (options.spin) classes.push('codicon-modifier-spin');
  return h('span', {
    className: classes.join(' '),
    attrs: options.label ? { role: 'img', 'aria-label': options.label } : { 'aria-hidden': 'true' },
  });
}
