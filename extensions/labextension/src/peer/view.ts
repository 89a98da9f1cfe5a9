/**
 * The "Review peers" tab of one peer-reviewed item: ask for a submission to review (the notebook
 * as the grader executed it, anonymous, beside the rubric form), the reviews I received with my
 * grade, and for staff the queue of submissions short of reviews, flagged reviews, reviewers and
 * overrides. Where the course asks for calibration, the practice on its examples comes first.
 */
import { Widget } from '@lumino/widgets';
import { CampusAPI, CampusError } from '../api';
import { postBody } from '../discussion/html';
import { add, button, h } from '../shared/dom';
import { reviewingLine } from '../shared/peer';
import { localDate } from '../time';
import type { Course } from '../types';
import { CalibrationHost, exampleNodes } from './calibration';
import { Criterion, rubricForm } from './rubric';

/** What the view needs of a peer-reviewed item (a learner's listing line, or for staff the
 * assignment as the catalog names it). */
export interface PeerTarget {
  item: string;
  title: string;
  rubric: unknown[];
  reviews_required: number;
  calibration?: { calibrated: boolean } | null;
  reviewing?: { score: number; compared: number } | null;
}


export class PeerReviewView extends Widget {
  private status = h('div', { class: 'nbc-message', role: 'status' });
  private content = h('div', { class: 'nbc-peer-body' });
  private nav = 0;
  private calibrated = false;

  constructor(
    readonly api: CampusAPI,
    readonly course: Course,
    readonly item: PeerTarget,
    readonly staff: boolean,
    readonly learner: boolean,
    private changed: () => void
  ) {
    super();
    this.id = `nbcampus-peer-${course.id}-${item.item}`;
    this.title.label = `Review peers · ${item.title}`;
    this.title.closable = true;
    this.addClass('nbc-panel');
    this.addClass('nbc-peer');
    this.node.dataset.course = course.id;
    this.node.dataset.item = item.item;
    const tabs = h(
      'div',
      { class: 'nbc-actions' },
      this.learner ? button('Review a peer', 'nbc-peer-allocate', () => this.review()) : null,
      this.learner ? button('Reviews I received', 'nbc-peer-received', () => this.received()) : null,
      this.staff ? button('Staff queue', 'nbc-peer-queue', () => this.queue()) : null
    );
    this.node.append(h('h2', {}, `Peer review · ${item.title}`), tabs, this.status, this.content);
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
      this.node.dataset.state = 'refused';
    }
  }

  private draw(nav: number, state: string, ...nodes: (HTMLElement | null)[]): void {
    if (nav !== this.nav) {
      return;
    }
    this.content.replaceChildren();
    add(this.content, ...nodes);
    this.node.dataset.state = state;
  }

  private calibration(): CalibrationHost {
    return {
      api: this.api,
      course: this.course.id,
      item: this.item.item,
      say: (text, kind) => this.say(text, kind),
      attempt: (what, fn) => this.attempt(what, fn),
      state: state => (this.node.dataset.state = state),
      next: () => {
        this.changed();
        void this.review();
      }
    };
  }

  /** A submission of my cohort to review (the one I hold, or a new reservation); first the
   * next calibration example while I have not passed them all. */
  async review(): Promise<void> {
    const nav = ++this.nav;
    this.node.dataset.state = 'loading';
    await this.attempt('No submission to review', async () => {
      if (this.item.calibration && !this.calibrated) {
        const e = await this.api.get('/api/courses/{course}/peer-reviews/{item}/calibration', { course: this.course.id, item: this.item.item });
        if (!e.calibrated) {
          this.say('');
          this.draw(nav, 'calibrating', ...exampleNodes(this.calibration(), e));
          return;
        }
        this.calibrated = true;
      }
      const a = await this.api.post('/api/courses/{course}/peer-reviews/{item}/allocations', { course: this.course.id, item: this.item.item }, undefined);
      this.say('');
      const form = rubricForm(a.rubric as Criterion[], `a${a.allocation_id}`);
      const notebook = h('iframe', { class: 'nbc-peer-notebook', sandbox: '', title: 'The submission to review (anonymous)' }) as HTMLIFrameElement;
      notebook.srcdoc = a.html;
      const send = button('Send my review', 'nbc-peer-send', async () => {
        const answer = form.value();
        if ('missing' in answer) {
          this.say(`Choose a level for "${answer.missing}".`, 'error');
          return;
        }
        await this.attempt('Your review was refused', async () => {
          const r = await this.api.post('/api/peer-allocations/{allocation}/review', { allocation: String(a.allocation_id) }, answer);
          this.say(`Thank you: ${r.reviews_given} of ${this.item.reviews_required} reviews given.`);
          this.draw(++this.nav, 'reviewed', h('p', { class: 'nbc-peer-done' }, 'Review sent.'), button('Review another', 'nbc-peer-allocate', () => this.review()));
          this.changed();
        });
      });
      this.draw(
        nav,
        'reviewing',
        h('p', { class: 'nbc-meta' }, `Reserved for you until ${localDate(new Date(a.expires_at))}. The author does not see who you are, nor you theirs.`),
        h('div', { class: 'nbc-peer-split' }, notebook, h('div', { class: 'nbc-peer-form' }, form.node, send))
      );
    });
  }

  /** The reviews of my submission and my grade, once I gave the reviews asked of me. */
  async received(): Promise<void> {
    const nav = ++this.nav;
    this.node.dataset.state = 'loading';
    await this.attempt('Could not load your reviews', async () => {
      const r = await this.api.get('/api/courses/{course}/peer-reviews/{item}/received', { course: this.course.id, item: this.item.item });
      const titles = new Map((this.item.rubric as Criterion[]).map(c => [c.id, c]));
      const grade = r.grade
        ? h('div', { class: 'nbc-peer-grade' }, `Peer grade ${r.grade.score} / ${r.grade.max_score}${r.grade.flexible ? ' (with fewer reviews, after the wait)' : ''}`)
        : h('div', { class: 'nbc-peer-grade nbc-pending' }, r.why || 'no grade yet');
      this.say('');
      this.draw(
        nav,
        'received',
        grade,
        this.item.reviewing ? h('div', { class: 'nbc-meta nbc-peer-reviewing' }, reviewingLine(this.item.reviewing)) : null,
        ...r.reviews.map(review =>
          h(
            'div',
            { class: 'nbc-peer-review', 'data-review-id': String(review.review_id) },
            h('strong', {}, review.reviewer),
            h('span', { class: 'nbc-meta' }, ` · ${localDate(new Date(review.created_at))}`),
            h(
              'ul',
              {},
              ...Object.entries(review.levels).map(([id, level]) => {
                const c = titles.get(id);
                const chosen = c?.levels[level as number];
                const note = (review.comments as Record<string, string>)[id];
                return h('li', {}, `${c?.title ?? id}: ${chosen ? `${chosen.points} pt · ${chosen.description}` : level}`, note ? ` · ${note}` : '');
              })
            ),
            review.comment_html ? postBody(review.comment_html) : null,
            flagForm(reason => this.flag(review.review_id, reason))
          )
        )
      );
    });
  }

  private async flag(review: number, reason: string): Promise<void> {
    await this.attempt('Flag refused', async () => {
      await this.api.post('/api/peer-reviews/{review}/flag', { review: String(review) }, { reason });
      this.say('The staff will look at this review.');
    });
  }

  /** Staff: submissions still short of reviews (oldest first), flagged reviews, an override. */
  async queue(): Promise<void> {
    const nav = ++this.nav;
    await this.attempt('Could not load the queue', async () => {
      const q = await this.api.get('/api/courses/{course}/peer-reviews/{item}/queue', { course: this.course.id, item: this.item.item });
      const who = h('input', { type: 'text', class: 'nbc-override-user', placeholder: 'Learner', 'aria-label': 'Learner' }) as HTMLInputElement;
      const score = h('input', { type: 'number', class: 'nbc-override-score', step: 'any', placeholder: 'Score', 'aria-label': 'Score' }) as HTMLInputElement;
      const reason = h('input', { type: 'text', class: 'nbc-override-reason', placeholder: 'Reason (audited)', 'aria-label': 'Reason' }) as HTMLInputElement;
      const override = button('Override the grade', 'nbc-override', () =>
        this.attempt('Override refused', async () => {
          await this.api.post('/api/courses/{course}/peer-reviews/{item}/overrides', { course: this.course.id, item: this.item.item }, { username: who.value, score: Number(score.value), reason: reason.value });
          this.say(`${who.value}'s peer grade is now ${score.value}.`);
        })
      );
      this.draw(
        nav,
        'queue',
        h('h3', {}, `Short of reviews (${q.short.length})`),
        ...q.short.map(s => h('div', { class: 'nbc-peer-short', 'data-username': s.username }, `${s.username}: ${s.reviews} of ${s.wanted} reviews · waiting ${Math.round(s.age_seconds / 3600)} h`)),
        h('h3', {}, `Flagged reviews (${q.flagged.length})`),
        ...q.flagged.map(f => h('pre', { class: 'nbc-peer-flagged' }, JSON.stringify(f))),
        h('h3', {}, `Reviewers (${q.reviewers.length})`),
        ...q.reviewers.map(r => h('div', { class: 'nbc-peer-reviewer', 'data-username': r.username }, `${r.username}: ${r.reviews_given} reviews given · reviewing ${r.reviewing_score ?? 'not compared yet'}${r.compared ? ` (${r.compared} compared)` : ''}`)),
        h('div', { class: 'nbc-peer-override' }, who, score, reason, override)
      );
    });
  }
}

function flagForm(fn: (reason: string) => Promise<void>): HTMLElement {
  const reason = h('input', { type: 'text', class: 'nbc-reason', placeholder: 'Why is this review unfair?', 'aria-label': 'Flag reason' }) as HTMLInputElement;
  return h('details', { class: 'nbc-inline nbc-flag' }, h('summary', {}, 'Flag as unfair'), reason, button('Flag', 'nbc-flag-confirm', () => fn(reason.value)));
}
