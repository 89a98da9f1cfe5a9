/**
 * The "Courses" side panel: loads from the service (through the server extension) and draws
 * three sections: My courses and Catalog (the learner's views, in learner/) and Teaching (the
 * staff's views, in teaching/), with the pieces they share in shared/.
 *
 * Text goes into the page with textContent only, never as HTML.
 */
import { Widget } from '@lumino/widgets';
import { CampusAPI, CampusError } from './api';
import { ActivityTracker } from './activity';
import { renderOffer } from './learner/catalog';
import { renderCourse } from './learner/course';
import { NotificationBell } from './notifications';
import { LearnerState } from './learner/state';
import { updateCountdowns } from './shared/cards';
import type { PanelContext, PanelHost } from './shared/context';
import { h } from './shared/dom';
import { renderMentoring, renderTeaching } from './teaching/course';
import type { Course, WhoAmI } from './types';

export type { PanelHost } from './shared/context';

export class CoursesPanel extends Widget implements PanelContext {
  private me: WhoAmI | null = null;
  private catalog: Course[] = [];
  private learner = new LearnerState();
  private clockOffset = 0; // server clock minus browser clock, in ms
  private messageNode = h('div', { class: 'nbc-message', role: 'status' });
  private body = h('div', { class: 'nbc-body' });
  private ticker: number;
  private bell: NotificationBell;

  constructor(
    readonly api: CampusAPI,
    readonly host: PanelHost,
    private tracker: ActivityTracker
  ) {
    super();
    this.id = 'nbcampus-courses';
    this.addClass('nbc-panel');
    this.title.caption = 'Courses';
    const refresh = h('button', { class: 'nbc-button nbc-refresh', onclick: () => void this.refresh() }, 'Refresh');
    this.bell = new NotificationBell(api);
    this.node.append(
      h('header', { class: 'nbc-header' }, h('h2', {}, 'Courses'), h('span', { class: 'nbc-header-tools' }, this.bell.node, refresh)),
      this.messageNode,
      this.body
    );
    // countdowns move on their own
    this.ticker = window.setInterval(() => updateCountdowns(this.node, this.now()), 30000);
  }

  dispose(): void {
    window.clearInterval(this.ticker);
    this.bell.dispose();
    super.dispose();
  }

  /** The service's clock, as far as the browser can tell. */
  now(): Date {
    return new Date(Date.now() + this.clockOffset);
  }

  /** The courses of the catalog (with their modules), and who I am, as last loaded. */
  get courses(): Course[] {
    return this.catalog;
  }

  get whoami(): WhoAmI | null {
    return this.me;
  }

  noteOpened(path: string): void {
    this.learner.opened.add(path);
  }

  say(text: string, kind: 'info' | 'error' = 'info'): void {
    this.messageNode.textContent = text;
    this.messageNode.className = `nbc-message nbc-message-${kind}`;
  }

  async attempt(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      const message = e instanceof CampusError ? e.message : String(e);
      this.say(`${what}: ${message}`, 'error');
    }
  }

  /** Load everything from the service and draw the panel again. */
  async refresh(): Promise<void> {
    await this.attempt('Could not load your courses', async () => {
      const [me, catalog] = await Promise.all([
        this.api.call<WhoAmI>('whoami'),
        this.api.get('/api/courses', {}),
        this.learner.loadMine(this.api)
      ]);
      this.me = me;
      this.catalog = catalog.courses;
      const enrolled = this.learner.enrolled().map(e => e.course);
      this.tracker.setCourses(enrolled);
      if (enrolled.length) {
        const d = await this.api.get('/api/courses/{course}/deadlines', { course: enrolled[0] });
        this.clockOffset = new Date(d.now).getTime() - Date.now();
      }
      await this.learner.loadCourses(this.api, this.host, this.catalog);
      this.render();
    });
    // what changed may have made news (feedback released, a certificate): toast it now
    await this.bell.poll();
  }

  private render(): void {
    this.body.replaceChildren();
    const enrolled = this.learner.enrolled();
    if (enrolled.length) {
      this.body.append(h('h3', { class: 'nbc-section' }, 'My courses'));
      for (const e of enrolled) {
        const course = this.catalog.find(c => c.id === e.course);
        if (course) {
          this.body.append(renderCourse(this, this.learner, course, e));
        }
      }
    }
    const staff = new Set(this.me?.admin ? this.catalog.map(c => c.id) : this.me?.staff_courses || []);
    const others = this.catalog.filter(c => !enrolled.some(e => e.course === c.id) && !staff.has(c.id) && !this.me?.moderated_courses.includes(c.id));
    if (others.length) {
      this.body.append(h('h3', { class: 'nbc-section' }, 'Catalog'));
      for (const course of others) {
        this.body.append(renderOffer(this, course));
      }
    }
    const taught = this.catalog.filter(c => staff.has(c.id));
    if (taught.length) {
      this.body.append(h('h3', { class: 'nbc-section' }, 'Teaching'));
      for (const course of taught) {
        this.body.append(renderTeaching(this, course));
      }
    }
    const mentored = this.catalog.filter(c => this.me?.moderated_courses.includes(c.id) && !staff.has(c.id));
    if (mentored.length) {
      this.body.append(h('h3', { class: 'nbc-section' }, 'Mentoring'));
      for (const course of mentored) {
        this.body.append(renderMentoring(this, course));
      }
    }
    updateCountdowns(this.node, this.now());
  }
}
