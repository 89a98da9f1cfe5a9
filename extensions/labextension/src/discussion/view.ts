/**
 * The Discussion view of one course, a tab in JupyterLab's main area: the threads of the course,
 * a module or an item in context; a thread and its posts; the composer (with the cell a
 * question is about); the staff's queue of private questions.
 *
 * Who sees and may do what is the service's rule: this view shows what it answers, and the
 * panel's forwarder passes only the discussion calls.
 */
import { Widget } from '@lumino/widgets';
import { CampusAPI, CampusError } from '../api';
import { add, button, h } from '../shared/dom';
import { localDate } from '../time';
import type { CellSnapshot, Course, Post } from '../types';
import { composer } from './compose';
import { renderList } from './list';
import { calendarButton, staffTools } from './staff';
import { Place, placeLabel } from './place';
import { cellSnapshot, renderThread, Viewer } from './thread';

export class DiscussionView extends Widget {
  private place: Place = {};
  private unanswered = false;
  private q = '';
  private status = h('div', { class: 'nbc-message', role: 'status' });
  private content = h('div', { class: 'nbc-discussion-body' });
  /** the latest navigation: an answer arriving for an earlier one is not drawn */
  private nav = 0;

  constructor(
    readonly api: CampusAPI,
    readonly course: Course,
    readonly me: Viewer,
    private changed: () => void
  ) {
    super();
    this.id = `nbcampus-discussion-${course.id}`;
    this.title.label = `Discussion · ${course.title}`;
    this.title.closable = true;
    this.addClass('nbc-panel');
    this.addClass('nbc-discussion');
    this.node.dataset.course = course.id;
    this.node.append(h('h2', {}, `Discussion · ${course.title}`), this.status, this.content);
  }

  private say(text: string, kind: 'info' | 'error' = 'info'): void {
    this.status.textContent = text;
    this.status.className = `nbc-message nbc-message-${kind}`;
  }

  private async attempt(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.say(`${what}: ${e instanceof CampusError ? e.message : String(e)}`, 'error');
    }
  }

  private draw(nav: number, ...nodes: (HTMLElement | null)[]): void {
    if (nav !== this.nav) {
      return; // the learner went elsewhere meanwhile
    }
    this.content.replaceChildren();
    add(this.content, ...nodes);
    this.node.dataset.state = 'ready';
  }

  /** The threads of `place` (the whole course by default) I may see. */
  async showList(place: Place = this.place, unanswered = this.unanswered, q = this.q): Promise<void> {
    this.place = place;
    this.unanswered = unanswered;
    this.q = q;
    const nav = ++this.nav;
    this.node.dataset.state = 'loading';
    await this.attempt('Could not load the discussion', async () => {
      const query: Record<string, string> = { limit: '50' };
      if (place.module) {
        query.module = place.module;
      }
      if (place.item) {
        query.item = place.item;
      }
      if (unanswered) {
        query.unanswered = 'true';
      }
      if (q) {
        query.q = q;
      }
      const c = { course: this.course.id };
      const [threads, announcements, sessions] = await Promise.all([
        this.api.get('/api/courses/{course}/threads', c, query),
        this.api.get('/api/courses/{course}/announcements', c),
        this.api.get('/api/courses/{course}/sessions', c)
      ]);
      this.say('');
      this.draw(
        nav,
        ...renderList(this.course, place, unanswered, q, { threads, announcements: announcements.announcements, sessions: sessions.sessions }, this.me.moderates, {
          filter: (p, u, text) => void this.showList(p, u, text),
          open: id => void this.showThread(id),
          compose: kind => this.compose(kind, this.place),
          privateQueue: () => void this.showPrivateQueue()
        }, [
          h('div', { class: 'nbc-actions' }, calendarButton(this.api, (t, k) => this.say(t, k))),
          this.me.moderates ? staffTools(this.api, this.course.id, (t, k) => this.say(t, k), () => void this.showList()) : null
        ].filter((x): x is HTMLElement => !!x))
      );
    });
  }

  /** One thread; opening it marks it read. */
  async showThread(id: number): Promise<void> {
    const nav = ++this.nav;
    this.node.dataset.state = 'loading';
    await this.attempt(`Could not open thread ${id}`, async () => {
      const t = await this.api.get('/api/threads/{thread}', { thread: String(id) });
      const again = () => this.showThread(id);
      this.draw(
        nav,
        ...renderThread(this.course, t, this.me, {
          back: () => void this.showList(),
          vote: async (p: Post) => {
            await this.api.post('/api/posts/{post}/vote', { post: String(p.id) }, { value: p.my_vote === 1 ? 0 : 1 });
            await again();
          },
          accept: async (p: Post, accepted: boolean) => {
            await this.act('Accepting the answer failed', () => this.api.post('/api/posts/{post}/accept', { post: String(p.id) }, { accepted }));
            await again();
          },
          composer: parent =>
            composer(this.api, parent ? 'Your comment' : 'Your reply', async body => {
              const ok = await this.act('Your post was refused', () =>
                this.api.post('/api/threads/{thread}/posts', { thread: String(id) }, parent ? { body, parent_id: parent.id } : { body })
              );
              if (ok) {
                await again();
              }
            }).node,
          follow: async following => {
            await this.api.post('/api/threads/{thread}/follow', { thread: String(id) }, { following });
            await again();
          },
          moderate: async change => {
            await this.act('Moderation refused', () => this.api.patch('/api/threads/{thread}', { thread: String(id) }, change));
            await again();
          },
          hide: async (p, reason) => {
            await this.act('Hiding refused', () => this.api.post('/api/posts/{post}/hide', { post: String(p.id) }, { reason }));
            await again();
          },
          flag: async (p, reason) => {
            if (await this.act('Flag refused', () => this.api.post('/api/posts/{post}/flag', { post: String(p.id) }, { reason }))) {
              this.say('Thank you: the staff will look at this post.');
            }
          }
        })
      );
      if (nav === this.nav) {
        this.node.dataset.thread = String(id);
      }
      if (t.unread) {
        await this.api.post('/api/threads/{thread}/read', { thread: String(id) }, {});
        this.changed();
      }
    });
  }

  /** Run a call; a refusal is shown with its reason and answers false. */
  private async act(what: string, fn: () => Promise<unknown>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (e) {
      this.say(`${what}: ${e instanceof CampusError ? e.message : String(e)}`, 'error');
      return false;
    }
  }

  /** A new question or discussion at `place`, maybe about one cell of a notebook. */
  compose(kind: 'question' | 'discussion', place: Place, cell?: CellSnapshot): void {
    const title = h('input', { type: 'text', class: 'nbc-compose-title', placeholder: 'Title', 'aria-label': 'Title', maxlength: '300' }) as HTMLInputElement;
    const type = h('select', { class: 'nbc-compose-kind', 'aria-label': 'Kind' }) as HTMLSelectElement;
    type.append(h('option', { value: 'question', selected: kind === 'question' }, 'Question'), h('option', { value: 'discussion', selected: kind === 'discussion' }, 'Discussion'));
    const privately = h('input', { type: 'checkbox', class: 'nbc-compose-private' }) as HTMLInputElement;
    const nav = ++this.nav;
    const body = composer(this.api, 'Your question or message', async text => {
      const ok = await this.act('Your thread was refused', async () => {
        const t = await this.api.post(
          '/api/courses/{course}/threads',
          { course: this.course.id },
          {
            title: title.value,
            body: text,
            kind: type.value as 'question' | 'discussion',
            private: privately.checked,
            ...(place.module ? { module: place.module } : {}),
            ...(place.item ? { item: place.item } : {}),
            ...(cell ? { cell } : {})
          }
        );
        this.say(privately.checked ? 'Your private question went to the course staff.' : 'Posted.');
        this.changed();
        await this.showThread(t.id);
      });
      if (!ok) {
        return;
      }
    });
    this.draw(
      nav,
      h('button', { class: 'nbc-button nbc-back', onclick: () => void this.showList() }, '← All threads'),
      h('h3', {}, `New thread in ${placeLabel(this.course, place.module, place.item)}`),
      cell ? cellSnapshot(cell) : null,
      cell ? h('p', { class: 'nbc-meta' }, 'The staff and your cohort will see this cell (its source and outputs) with your question.') : null,
      h('div', { class: 'nbc-compose-head' }, type, title),
      h('label', { class: 'nbc-private-choice' }, privately, ' Private question to the course staff (only you and the staff see it)'),
      body.node
    );
    title.focus();
  }

  /** Staff: unanswered private questions, oldest first, with their age. */
  async showPrivateQueue(): Promise<void> {
    const nav = ++this.nav;
    await this.attempt('Could not load the private questions', async () => {
      const r = await this.api.get('/api/courses/{course}/private-questions', { course: this.course.id });
      this.draw(
        nav,
        h('button', { class: 'nbc-button nbc-back', onclick: () => void this.showList() }, '← All threads'),
        h('h3', {}, `Unanswered private questions (${r.questions.length})`),
        ...r.questions.map(q =>
          h(
            'div',
            { class: 'nbc-thread-row nbc-private-question', 'data-thread-id': String(q.thread_id) },
            button(q.title, 'nbc-thread-title', () => this.showThread(q.thread_id)),
            h('div', { class: 'nbc-meta' }, `${q.author} · ${placeLabel(this.course, q.module, q.item)} · asked ${localDate(new Date(q.asked_at))} · waiting ${Math.round(q.age_seconds / 3600)} h`)
          )
        )
      );
    });
  }
}
