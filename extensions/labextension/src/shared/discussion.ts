/** The course cards' way into the discussions: announcements on top, a Discussion button with
 * my unread count, and a Discuss button per module. Loaded after the card is drawn. */
import { announcement } from '../discussion/list';
import type { Place } from '../discussion/place';
import type { PanelContext } from './context';
import { h } from './dom';

/** The course's latest announcements (the newest two), filled in when the service answers. */
export function announcementsBox(ctx: PanelContext, course: string): HTMLElement {
  const box = h('div', { class: 'nbc-announcements' });
  void ctx.api
    .get('/api/courses/{course}/announcements', { course })
    .then(r => {
      box.replaceChildren(...r.announcements.slice(0, 2).map(announcement));
      box.dataset.loaded = 'true'; // a state pages and tests can wait for
    })
    .catch(() => (box.dataset.loaded = 'failed')); // no announcements shown rather than no card
  return box;
}

/** "Discussion (3 unread)": opens the course's Discussion view. */
export function discussionButton(ctx: PanelContext, course: string): HTMLElement {
  const badge = h('span', { class: 'nbc-unread', hidden: true });
  const b = h('button', { class: 'nbc-button nbc-discussion-open', onclick: () => ctx.host.openDiscussion(course) }, 'Discussion ', badge);
  void ctx.api
    .get('/api/courses/{course}/threads', { course }, { limit: '1' })
    .then(r => {
      badge.textContent = r.unread ? String(r.unread) : '';
      badge.hidden = !r.unread;
      b.title = r.unread ? `${r.unread} unread post(s)` : 'no unread posts';
    })
    .catch(() => undefined);
  return b;
}

/** A small "Discuss" button on a module: that module's threads. */
export function discussButton(ctx: PanelContext, course: string, place: Place): HTMLElement {
  return h('button', { class: 'nbc-button nbc-discuss', title: 'Questions and discussions of this week', onclick: () => ctx.host.openDiscussion(course, place) }, 'Discuss');
}
