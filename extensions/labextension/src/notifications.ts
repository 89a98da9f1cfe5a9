/**
 * The bell of the Courses panel: my unread notifications, polled from the service at a modest
 * interval, and a JupyterLab toast for each one that arrives while the lab is open.
 *
 * Titles and bodies are plain text from the service: they go into the page with textContent
 * and into toasts as text, never as HTML. Links are paths in the school; nothing else is opened.
 */
import { Notification } from '@jupyterlab/apputils';
import type { CampusAPI } from './api';
import { h } from './shared/dom';
import type { Answer } from './types';

type Listing = Answer<'/api/me/notifications', 'get'>;
type Item = Listing['notifications'][number];

/** JupyterLab's toasts show at most this many characters. */
const TOAST_CHARS = 140;

/** A path in the school (below the hub), never another site or a script. */
export function schoolPath(link: string | null): string | null {
  return link && link.startsWith('/') && !link.startsWith('//') ? link : null;
}

export class NotificationBell {
  readonly node: HTMLElement;
  private count = h('span', { class: 'nbc-bell-count' });
  private list = h('div', { class: 'nbc-bell-list', hidden: true });
  private items: Item[] = [];
  /** The newest notification already shown or toasted (no toast for it again). */
  private newest = 0;
  private timer: number;

  constructor(
    private api: CampusAPI,
    intervalMs = 60000
  ) {
    const bell = h(
      'button',
      { class: 'nbc-button nbc-bell', title: 'Notifications', 'aria-label': 'Notifications', onclick: () => this.toggle() },
      '\u{1F514}',
      this.count
    );
    this.node = h('div', { class: 'nbc-bell-box' }, bell, this.list);
    this.timer = window.setInterval(() => void this.poll(), intervalMs);
    void this.poll(true);
  }

  dispose(): void {
    window.clearInterval(this.timer);
  }

  /** Ask the service for my latest notifications; toast the new ones (not on the first look). */
  async poll(first = false): Promise<void> {
    let listing: Listing;
    try {
      listing = await this.api.get('/api/me/notifications', {}, { limit: '20' });
    } catch {
      return; // the next poll tries again
    }
    const fresh = listing.notifications.filter(n => n.id > this.newest && !n.read_at);
    if (!first) {
      for (const n of [...fresh].reverse()) {
        this.toast(n);
      }
    }
    this.newest = Math.max(this.newest, ...listing.notifications.map(n => n.id));
    this.items = listing.notifications;
    this.count.textContent = listing.unread ? String(listing.unread) : '';
    if (!this.list.hidden) {
      this.renderList();
    }
  }

  private toast(n: Item): void {
    const text = n.title.length > TOAST_CHARS ? n.title.slice(0, TOAST_CHARS - 1) + '\u2026' : n.title;
    const path = schoolPath(n.link);
    Notification.info(text, {
      autoClose: 10000,
      actions: path ? [{ label: 'Open', callback: () => void this.openItem(n) }] : []
    });
  }

  private toggle(): void {
    this.list.hidden = !this.list.hidden;
    if (!this.list.hidden) {
      this.renderList();
    }
  }

  private async openItem(n: Item): Promise<void> {
    const path = schoolPath(n.link);
    if (path) {
      window.open(path, '_blank', 'noopener');
    }
    if (!n.read_at) {
      await this.markRead({ ids: [n.id] });
    }
  }

  private async markRead(body: { ids: number[] } | { all: true }): Promise<void> {
    try {
      const answer = await this.api.post('/api/me/notifications/read', {}, body);
      this.count.textContent = answer.unread ? String(answer.unread) : '';
    } catch {
      return;
    }
    await this.poll();
  }

  /** My address for the school's mails: the hub's, or one of mine that I confirm from the
   * link mailed to it (a COOC admits by a verified address of its organisation). */
  private addressForm(): HTMLElement {
    const box = h('div', { class: 'nbc-bell-address' });
    const draw = (p: Answer<'/api/me/preferences', 'get'>): void => {
      const state = p.email ? (p.email_verified ? 'verified' : 'not confirmed yet: see the mail we sent') : 'none';
      const line = h('div', { class: 'nbc-muted nbc-address-state', 'data-verified': String(p.email_verified) }, `E-mail: ${p.email ?? '-'} (${state})`);
      if (p.email_source === 'hub') {
        box.replaceChildren(line);
        return;
      }
      const input = h('input', { type: 'email', class: 'nbc-address-input', placeholder: 'you@example.org', 'aria-label': 'My e-mail address' }) as HTMLInputElement;
      const save = h(
        'button',
        {
          class: 'nbc-button nbc-address-save',
          onclick: () =>
            void this.api
              .patch('/api/me/preferences', {}, { email: input.value.trim() })
              .then(draw)
              .catch((e: Error) => line.replaceChildren(`Address refused: ${e.message}`))
        },
        'Save and confirm'
      );
      box.replaceChildren(line, input, save);
    };
    void this.api.get('/api/me/preferences', {}).then(draw).catch(() => box.replaceChildren());
    return box;
  }

  private renderList(): void {
    this.list.replaceChildren(this.addressForm());
    if (!this.items.length) {
      this.list.append(h('p', { class: 'nbc-muted' }, 'No notifications yet.'));
      return;
    }
    this.list.append(
      h('button', { class: 'nbc-button nbc-bell-all', onclick: () => void this.markRead({ all: true }) }, 'Mark all read')
    );
    for (const n of this.items) {
      const when = new Date(n.created_at).toLocaleString();
      this.list.append(
        h(
          'div',
          { class: `nbc-bell-item${n.read_at ? '' : ' nbc-bell-unread'}`, onclick: () => void this.openItem(n) },
          h('strong', {}, n.title),
          h('div', { class: 'nbc-bell-body' }, n.body),
          h('small', { class: 'nbc-muted' }, when)
        )
      );
    }
  }
}
