/** Writing a post: markdown in a text area, a preview rendered by the service, then Post. */
import { CampusAPI, CampusError } from '../api';
import { button, h } from '../shared/dom';
import { postBody } from './html';

export interface Composer {
  node: HTMLElement;
  /** the markdown written so far */
  value(): string;
  clear(): void;
}

export function composer(api: CampusAPI, label: string, onPost: (body: string) => Promise<void>): Composer {
  const text = h('textarea', {
    class: 'nbc-compose-body',
    rows: '5',
    'aria-label': label,
    placeholder: 'Markdown: **bold**, `code`, ```python fenced blocks```'
  }) as HTMLTextAreaElement;
  const preview = h('div', { class: 'nbc-preview', hidden: true });
  const showPreview = button('Preview', 'nbc-preview-button', async () => {
    if (!preview.hidden) {
      preview.hidden = true;
      return;
    }
    if (!text.value.trim()) {
      return;
    }
    try {
      const r = await api.post('/api/discussion/preview', {}, { body: text.value });
      preview.replaceChildren(h('div', { class: 'nbc-meta' }, 'Preview'), postBody(r.html));
    } catch (e) {
      preview.replaceChildren(h('div', { class: 'nbc-error' }, e instanceof CampusError ? e.message : String(e)));
    }
    preview.hidden = false;
  });
  const post = button('Post', 'nbc-post-button', async () => {
    await onPost(text.value);
  });
  const node = h('div', { class: 'nbc-composer' }, text, preview, h('div', { class: 'nbc-actions' }, showPreview, post));
  return {
    node,
    value: () => text.value,
    clear: () => {
      text.value = '';
      preview.hidden = true;
    }
  };
}
