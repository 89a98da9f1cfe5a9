/** Building the panel's DOM: text goes in with textContent only, never as HTML. */

export type Attrs = Record<string, string | boolean | ((e: Event) => void)>;
export type Child = Node | string | null | undefined | false;

/** A DOM element: attributes (on* are listeners), children as nodes or text. */
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (value === true) {
      el.setAttribute(key, '');
    } else if (value !== false) {
      el.setAttribute(key, value);
    }
  }
  add(el, ...children);
  return el;
}

/** Append children, skipping empty ones. */
export function add(el: HTMLElement, ...children: Child[]): void {
  for (const child of children) {
    if (child) {
      el.append(child);
    }
  }
}

/** A button that is disabled while its action runs. */
export function button(label: string, cls: string, fn: () => Promise<void> | void): HTMLElement {
  const b = h('button', { class: `nbc-button ${cls}` }, label) as HTMLButtonElement;
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await fn();
    } finally {
      b.disabled = false;
    }
  });
  return b;
}
