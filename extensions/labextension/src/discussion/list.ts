/** A course's threads in context: filters, announcements, upcoming live sessions, the list. */
import { h } from '../shared/dom';
import { localDate } from '../time';
import type { Announcement, Course, LiveSession, ThreadList, ThreadSummary } from '../types';
import { postBody } from './html';
import { Place, placeLabel } from './place';

export interface ListActions {
  filter(place: Place, unanswered: boolean, q: string): void;
  open(thread: number): void;
  compose(kind: 'question' | 'discussion'): void;
  privateQueue(): void;
}

export interface ListData {
  threads: ThreadList;
  announcements: Announcement[];
  sessions: LiveSession[];
}

export function renderList(
  course: Course,
  place: Place,
  unanswered: boolean,
  q: string,
  data: ListData,
  moderates: boolean,
  act: ListActions,
  tools: HTMLElement[]
): HTMLElement[] {
  const module = h('select', { class: 'nbc-filter-module', 'aria-label': 'Where' }) as HTMLSelectElement;
  module.append(h('option', { value: '' }, 'The whole course'));
  for (const m of course.modules) {
    module.append(h('option', { value: m.id, selected: m.id === place.module }, `Week ${m.week}: ${m.title}`));
  }
  const open = h('input', { type: 'checkbox', class: 'nbc-filter-unanswered', checked: unanswered }) as HTMLInputElement;
  const search = h('input', { type: 'search', class: 'nbc-filter-q', placeholder: 'Search', value: q, 'aria-label': 'Search' }) as HTMLInputElement;
  const apply = () => act.filter({ module: module.value || undefined, item: module.value === place.module ? place.item : undefined }, open.checked, search.value);
  module.addEventListener('change', apply);
  open.addEventListener('change', apply);
  search.addEventListener('keydown', e => (e as KeyboardEvent).key === 'Enter' && apply());
  const filters = h(
    'div',
    { class: 'nbc-filters' },
    module,
    h('label', {}, open, ' unanswered questions'),
    search,
    h('button', { class: 'nbc-button nbc-new-question', onclick: () => act.compose('question') }, 'Ask a question'),
    h('button', { class: 'nbc-button nbc-new-discussion', onclick: () => act.compose('discussion') }, 'Start a discussion'),
    moderates ? h('button', { class: 'nbc-button nbc-private-queue', onclick: () => act.privateQueue() }, 'Private questions') : null
  );
  const where = placeLabel(course, place.module, place.item);
  const rows = data.threads.threads.map(t => threadRow(t, course, act));
  return [
    ...data.announcements.slice(0, 3).map(a => announcement(a)),
    data.sessions.length ? sessions(data.sessions) : null,
    filters,
    ...tools,
    h('div', { class: 'nbc-meta nbc-thread-count' }, `${data.threads.total} thread(s) in ${where}`, data.threads.unread ? ` · ${data.threads.unread} unread` : ''),
    rows.length ? h('div', { class: 'nbc-threads' }, ...rows) : h('p', { class: 'nbc-empty' }, 'No threads yet: ask the first question.')
  ].filter((x): x is HTMLElement => !!x);
}

export function announcement(a: Announcement): HTMLElement {
  return h(
    'div',
    { class: 'nbc-announcement', 'data-announcement-id': String(a.id) },
    h('strong', {}, a.title),
    h('span', { class: 'nbc-meta' }, ` · ${a.author_name}${a.author_name !== a.author ? ` (@${a.author})` : ''} · ${localDate(new Date(a.created_at))}${a.cohort ? ` · ${a.cohort}` : ''}`),
    postBody(a.html)
  );
}

function sessions(list: LiveSession[]): HTMLElement {
  return h(
    'div',
    { class: 'nbc-sessions' },
    h('strong', {}, 'Live sessions'),
    ...list.slice(0, 3).map(s =>
      h(
        'div',
        { class: 'nbc-session' },
        `${localDate(new Date(s.starts_at))} (${s.minutes} min) · ${s.title} · `,
        h('a', { href: s.meeting_url, target: '_blank', rel: 'noopener noreferrer' }, 'join')
      )
    )
  );
}

function threadRow(t: ThreadSummary, course: Course, act: ListActions): HTMLElement {
  const badges = [
    t.pinned ? 'pinned' : null,
    t.private ? 'private' : null,
    t.closed ? 'closed' : null,
    t.kind === 'question' ? (t.accepted_post_id ? 'answered ✓' : t.answered ? 'answered' : 'unanswered') : null,
    t.has_cell ? 'cell' : null
  ].filter(Boolean) as string[];
  return h(
    'div',
    { class: `nbc-thread-row${t.unread ? ' nbc-has-unread' : ''}`, 'data-thread-id': String(t.id), 'data-title': t.title },
    h(
      'div',
      { class: 'nbc-item-head' },
      h('span', { class: 'nbc-kind' }, t.kind),
      h('button', { class: 'nbc-thread-title', onclick: () => act.open(t.id) }, t.title),
      t.unread ? h('span', { class: 'nbc-unread', title: 'unread posts' }, String(t.unread)) : null
    ),
    h(
      'div',
      { class: 'nbc-meta' },
      `${t.author_name}${t.author_name !== t.author ? ` (@${t.author})` : ''} · ${placeLabel(course, t.module, t.item)} · ${t.replies} repl${t.replies === 1 ? 'y' : 'ies'} · ${t.votes} vote(s) · ${localDate(new Date(t.last_activity_at))}`,
      ...badges.map(b => h('span', { class: `nbc-badge nbc-badge-${b.split(' ')[0]}` }, b))
    )
  );
}
