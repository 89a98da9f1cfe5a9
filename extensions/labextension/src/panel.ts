/**
 * The "Courses" side panel: catalog and enrolment, per enrolled course its weekly modules
 * (lessons, exercises, quiz) with status, due dates, fetch/submit, score and feedback, progress
 * and certificate; for staff, release, grading status, deadline extensions and the dashboard.
 *
 * Everything shown comes from the service (through the server extension); text goes into the
 * page with textContent only, never as HTML.
 */
import { PageConfig } from '@jupyterlab/coreutils';
import { Widget } from '@lumino/widgets';
import { CampusAPI, CampusError } from './api';
import { ActivityTracker } from './activity';
import { countdown, lateStage, LatePolicy, localDate, localInputToISO } from './time';

type Attrs = Record<string, string | boolean | ((e: Event) => void)>;
type Child = Node | string | null | undefined | false;

/** A DOM element: attributes (on* are listeners), children as nodes or text. */
function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
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
  for (const child of children) {
    if (child) {
      el.append(child);
    }
  }
  return el;
}

/** Append children, skipping empty ones. */
function add(el: HTMLElement, ...children: Child[]): void {
  for (const child of children) {
    if (child) {
      el.append(child);
    }
  }
}

interface Module {
  id: string;
  title: string;
  week: number;
  lessons: { file: string; title: string }[];
  assignments: { id: string; title: string; points: number; late_policy?: LatePolicy }[];
  quiz?: { file: string; title: string };
}

interface Course {
  id: string;
  title: string;
  format: string;
  description: string;
  hours_per_week: number;
  duration_weeks: number;
  enrolment: { rule: string; invite_only?: boolean };
  seats: { cap: number | null; taken: number; left: number | null };
  branding?: { organisation?: string; colors?: { primary?: string; accent?: string } } | null;
  modules: Module[];
  my_status: string | null;
}

interface Deadline {
  id: string;
  due_at: string;
  source: string;
  reason?: string | null;
}

interface Enrolment {
  course: string;
  status: string;
  track: string;
  deadlines: Deadline[];
}

interface Released {
  course_id: string;
  assignment_id: string;
  submissions: { id: string; attempt: number; received_at: string }[];
}

interface GradeRow {
  course_id: string;
  assignment_id: string;
  submission_id: string;
  state: string;
  score?: number;
  max_score?: number;
  feedback_available: boolean;
}

interface Certificate {
  course_id: string;
  verify_url: string;
  pdf_url: string;
}

interface WhoAmI {
  username: string;
  admin: boolean;
  staff_courses: string[];
}

type Status = 'not started' | 'in progress' | 'submitted' | 'graded';

const STATUS_CLASS: Record<Status, string> = {
  'not started': 'nbc-status-new',
  'in progress': 'nbc-status-progress',
  submitted: 'nbc-status-submitted',
  graded: 'nbc-status-graded'
};

export interface PanelHost {
  openPath(path: string): void;
  pathExists(path: string): Promise<boolean>;
}

export class CoursesPanel extends Widget {
  private me: WhoAmI | null = null;
  private catalog: Course[] = [];
  private enrolments: Enrolment[] = [];
  private released: Released[] = [];
  private grades: GradeRow[] = [];
  private certificates: Certificate[] = [];
  private quizzes = new Map<string, { attempts: { score: number; max_score: number }[] }>();
  private fetched = new Set<string>();
  // notebooks worked in: from the service's record of my activity, plus those opened since
  private opened = new Set<string>();
  private clockOffset = 0; // server clock minus browser clock, in ms
  private messageNode = h('div', { class: 'nbc-message', role: 'status' });
  private body = h('div', { class: 'nbc-body' });
  private ticker: number;

  constructor(
    private api: CampusAPI,
    private host: PanelHost,
    private tracker: ActivityTracker
  ) {
    super();
    this.id = 'nbcampus-courses';
    this.addClass('nbc-panel');
    this.title.caption = 'Courses';
    const refresh = h('button', { class: 'nbc-button nbc-refresh', onclick: () => void this.refresh() }, 'Refresh');
    this.node.append(h('header', { class: 'nbc-header' }, h('h2', {}, 'Courses'), refresh), this.messageNode, this.body);
    // countdowns move on their own
    this.ticker = window.setInterval(() => this.updateCountdowns(), 30000);
  }

  dispose(): void {
    window.clearInterval(this.ticker);
    super.dispose();
  }

  now(): Date {
    return new Date(Date.now() + this.clockOffset);
  }

  noteOpened(path: string): void {
    this.opened.add(path);
  }

  private say(text: string, kind: 'info' | 'error' = 'info'): void {
    this.messageNode.textContent = text;
    this.messageNode.className = `nbc-message nbc-message-${kind}`;
  }

  private async attempt(what: string, fn: () => Promise<void>): Promise<void> {
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
      const [me, catalog, mine, released, grades] = await Promise.all([
        this.api.call<WhoAmI>('whoami'),
        this.api.service<{ courses: Course[] }>('courses'),
        this.api.service<{ enrolments: Enrolment[] }>('me/enrolments'),
        this.api.service<{ assignments: Released[] }>('exchange/assignments'),
        this.api.service<{ grades: GradeRow[] }>('me/grades')
      ]);
      this.me = me;
      this.catalog = catalog.courses;
      this.enrolments = mine.enrolments;
      this.released = released.assignments;
      this.grades = grades.grades;
      try {
        this.certificates = (await this.api.service<{ certificates: Certificate[] }>('me/certificates')).certificates;
      } catch (e) {
        if (!(e instanceof CampusError && e.status === 404)) {
          throw e;
        }
        this.certificates = []; // the service has no certificates yet
      }
      const enrolled = this.enrolled().map(e => e.course);
      this.tracker.setCourses(enrolled);
      if (enrolled.length) {
        const d = await this.api.service<{ now: string }>(`courses/${enrolled[0]}/deadlines`);
        this.clockOffset = new Date(d.now).getTime() - Date.now();
      }
      const worked = await Promise.all(
        enrolled.map(course =>
          this.api.service<{ notebooks: { notebook: string }[] }>(
            `me/activity?course=${encodeURIComponent(course)}`
          )
        )
      );
      for (const { notebooks } of worked) {
        notebooks.forEach(n => this.opened.add(n.notebook));
      }
      this.quizzes.clear();
      this.fetched.clear();
      await Promise.all(
        this.enrolled().flatMap(e => {
          const course = this.course(e.course);
          return (course ? course.modules : []).flatMap(m => [
            ...(m.quiz
              ? [
                  this.api
                    .service<{ attempts: { score: number; max_score: number }[] }>(`courses/${e.course}/quizzes/${m.id}-quiz`)
                    .then(q => void this.quizzes.set(`${e.course}/${m.id}-quiz`, q))
                    .catch(() => undefined)
                ]
              : []),
            ...m.assignments.map(a =>
              this.host.pathExists(`${e.course}/${a.id}`).then(yes => {
                if (yes) {
                  this.fetched.add(`${e.course}/${a.id}`);
                }
              })
            )
          ]);
        })
      );
      this.render();
    });
  }

  private enrolled(): Enrolment[] {
    return this.enrolments.filter(e => e.status === 'enrolled');
  }

  private course(id: string): Course | undefined {
    return this.catalog.find(c => c.id === id);
  }

  private render(): void {
    this.body.replaceChildren();
    const enrolled = this.enrolled();
    if (enrolled.length) {
      this.body.append(h('h3', { class: 'nbc-section' }, 'My courses'));
      for (const e of enrolled) {
        const course = this.course(e.course);
        if (course) {
          this.body.append(this.renderCourse(course, e));
        }
      }
    }
    const staff = new Set(this.me?.admin ? this.catalog.map(c => c.id) : this.me?.staff_courses || []);
    const others = this.catalog.filter(c => !enrolled.some(e => e.course === c.id) && !staff.has(c.id));
    if (others.length) {
      this.body.append(h('h3', { class: 'nbc-section' }, 'Catalog'));
      for (const course of others) {
        this.body.append(this.renderOffer(course));
      }
    }
    const taught = this.catalog.filter(c => staff.has(c.id));
    if (taught.length) {
      this.body.append(h('h3', { class: 'nbc-section' }, 'Teaching'));
      for (const course of taught) {
        this.body.append(this.renderInstructor(course));
      }
    }
    this.updateCountdowns();
  }

  private brand(card: HTMLElement, course: Course): void {
    const colors = course.branding?.colors;
    if (colors?.primary) {
      card.style.setProperty('--nbc-brand', colors.primary);
    }
    if (colors?.accent) {
      card.style.setProperty('--nbc-accent', colors.accent);
    }
    if (course.branding) {
      card.classList.add('nbc-branded');
    }
  }

  private renderOffer(course: Course): HTMLElement {
    const card = h('section', { class: 'nbc-card nbc-offer', 'data-course': course.id });
    this.brand(card, course);
    const seats = course.seats.cap == null ? 'open to all' : `${course.seats.left} of ${course.seats.cap} seats left`;
    add(
      card,
      course.branding?.organisation ? h('div', { class: 'nbc-org' }, course.branding.organisation) : null,
      h('h4', {}, course.title),
      h('div', { class: 'nbc-meta' }, `${course.format.toUpperCase()} · ${course.duration_weeks} weeks · ${course.hours_per_week} h/week · ${seats}`),
      h('p', { class: 'nbc-description' }, course.description)
    );
    if (course.my_status === 'waitlisted') {
      add(card, h('div', { class: 'nbc-note nbc-waitlisted' }, 'The course is full: you are on the waiting list.'));
      return card;
    }
    const code = course.enrolment.invite_only
      ? (h('input', { class: 'nbc-code', type: 'text', placeholder: 'Invite code', 'aria-label': 'Invite code' }) as HTMLInputElement)
      : null;
    const enrol = h('button', { class: 'nbc-button nbc-enrol' }, 'Enrol');
    enrol.addEventListener('click', () =>
      this.attempt(`Enrolment in ${course.title} refused`, async () => {
        const body = code && code.value.trim() ? { code: code.value.trim() } : {};
        const result = await this.api.service<{ status: string }>(`courses/${course.id}/enrolments`, 'POST', body);
        if (result.status === 'waitlisted') {
          this.say(`${course.title} is full: you are on the waiting list.`, 'error');
        } else {
          await this.api.call(`courses/${course.id}/materials`, { method: 'POST' });
          this.say(`You are enrolled in ${course.title}. Its lessons are in the folder ${course.id}/.`);
        }
        await this.refresh();
      })
    );
    add(card, h('div', { class: 'nbc-actions' }, code, enrol));
    return card;
  }

  private renderCourse(course: Course, enrolment: Enrolment): HTMLElement {
    const card = h('section', { class: 'nbc-card nbc-course', 'data-course': course.id });
    this.brand(card, course);
    const deadlines = new Map(enrolment.deadlines.map(d => [d.id, d]));
    let items = 0;
    let done = 0;
    const modules = course.modules.map(module => {
      const rows: HTMLElement[] = [];
      for (const lesson of module.lessons) {
        const path = `${course.id}/${lesson.file}`;
        const status: Status = this.opened.has(path) ? 'in progress' : 'not started';
        rows.push(
          this.row('lesson', lesson.title, status, null, [
            h('button', { class: 'nbc-button nbc-open', onclick: () => this.host.openPath(path) }, 'Open')
          ])
        );
      }
      for (const a of module.assignments) {
        items++;
        const { status, extra } = this.assignmentState(course, a);
        if (status === 'graded') {
          done++;
        }
        rows.push(this.row('exercise', a.title, status, deadlines.get(a.id) || null, extra, a.late_policy, a.id));
      }
      if (module.quiz) {
        items++;
        const quizId = `${module.id}-quiz`;
        const q = this.quizzes.get(`${course.id}/${quizId}`);
        const attempts = q?.attempts || [];
        const status: Status = attempts.length ? 'graded' : 'not started';
        if (attempts.length) {
          done++;
        }
        const best = attempts.reduce((m, a) => Math.max(m, a.score), 0);
        const voila = `${PageConfig.getBaseUrl()}voila/render/${course.id}/quizzes/${quizId}.ipynb`;
        rows.push(
          this.row('quiz', module.quiz.title, status, deadlines.get(quizId) || null, [
            attempts.length ? h('span', { class: 'nbc-score' }, `Best ${best} / ${attempts[0].max_score}`) : null,
            h('a', { class: 'nbc-button nbc-open-quiz', href: voila, target: '_blank', rel: 'noopener' }, 'Take quiz')
          ])
        );
      }
      return h('div', { class: 'nbc-module', 'data-module': module.id }, h('h5', {}, `Week ${module.week}: ${module.title}`), ...rows);
    });
    const percent = items ? Math.round((100 * done) / items) : 0;
    const certificate = this.certificates.find(c => c.course_id === course.id);
    add(
      card,
      course.branding?.organisation ? h('div', { class: 'nbc-org' }, course.branding.organisation) : null,
      h('h4', {}, course.title),
      h('div', { class: 'nbc-meta' }, `${course.format.toUpperCase()} · ${enrolment.track} track`),
      h(
        'div',
        { class: 'nbc-progress', title: 'exercises graded and quizzes taken' },
        h('div', { class: 'nbc-progress-bar', style: `width: ${percent}%` }),
        h('span', { class: 'nbc-progress-text' }, `${percent}% complete`)
      ),
      certificate
        ? h(
            'div',
            { class: 'nbc-certificate' },
            'Certificate: ',
            h('a', { href: certificate.pdf_url, target: '_blank', rel: 'noopener' }, 'PDF'),
            ' · ',
            h('a', { href: certificate.verify_url, target: '_blank', rel: 'noopener' }, 'verify')
          )
        : null,
      ...modules
    );
    return card;
  }

  private assignmentState(course: Course, a: { id: string; points: number }): { status: Status; extra: Child[] } {
    const key = `${course.id}/${a.id}`;
    const release = this.released.find(r => r.course_id === course.id && r.assignment_id === a.id);
    const grades = this.grades.filter(g => g.course_id === course.id && g.assignment_id === a.id);
    const latest = grades[grades.length - 1];
    const fetched = this.fetched.has(key);
    const extra: Child[] = [];
    let status: Status = 'not started';
    if (latest && latest.feedback_available) {
      status = 'graded';
      extra.push(h('span', { class: 'nbc-score' }, `Score ${latest.score} / ${latest.max_score}`));
      extra.push(this.button('Feedback', 'nbc-feedback', () => this.feedback(course.id, a.id)));
    } else if (latest) {
      status = 'submitted';
      extra.push(h('span', { class: 'nbc-pending' }, latest.state === 'pending' ? 'grading…' : latest.state));
    } else if (fetched) {
      status = 'in progress';
    }
    if (!release) {
      extra.push(h('span', { class: 'nbc-pending' }, 'not released yet'));
    } else if (!fetched) {
      extra.push(this.button('Fetch', 'nbc-fetch', () => this.fetch(course.id, a.id)));
    } else {
      extra.push(this.button('Open', 'nbc-open', () => this.openAssignment(course.id, a.id)));
      extra.push(this.button('Submit', 'nbc-submit', () => this.submit(course.id, a.id)));
    }
    return { status, extra };
  }

  private button(label: string, cls: string, fn: () => Promise<void> | void): HTMLElement {
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

  private row(
    kind: string,
    title: string,
    status: Status,
    deadline: Deadline | null,
    extra: Child[],
    policy?: LatePolicy,
    itemId?: string
  ): HTMLElement {
    const due = deadline
      ? h(
          'div',
          {
            class: 'nbc-due',
            'data-due': deadline.due_at,
            'data-policy': JSON.stringify(policy || null),
            'data-item': itemId || deadline.id,
            title: deadline.source === 'extension' ? `extended: ${deadline.reason || ''}` : 'due date'
          },
          h('span', { class: 'nbc-due-date' }, `Due ${localDate(new Date(deadline.due_at))}`),
          deadline.source === 'extension' ? h('span', { class: 'nbc-extended' }, ' (extended)') : null,
          ' ',
          h('span', { class: 'nbc-countdown' }),
          ' ',
          h('span', { class: 'nbc-stage' })
        )
      : null;
    return h(
      'div',
      { class: `nbc-item nbc-${kind}`, 'data-title': title },
      h('div', { class: 'nbc-item-head' }, h('span', { class: 'nbc-kind' }, kind), h('span', { class: 'nbc-title' }, title), h('span', { class: `nbc-status ${STATUS_CLASS[status]}` }, status)),
      due,
      h('div', { class: 'nbc-actions' }, ...extra)
    );
  }

  private updateCountdowns(): void {
    const now = this.now();
    this.node.querySelectorAll<HTMLElement>('.nbc-due').forEach(el => {
      const due = new Date(el.dataset.due!);
      const stage = lateStage(JSON.parse(el.dataset.policy || 'null'), due, now);
      el.querySelector('.nbc-countdown')!.textContent = countdown(due, now);
      const label =
        stage.stage === 'on-time'
          ? 'on time'
          : stage.stage === 'grace'
            ? 'grace period'
            : stage.stage === 'late'
              ? `late: ${stage.credit}% credit${stage.closesAt ? `, closes ${countdown(stage.closesAt, now)}` : ''}`
              : 'closed';
      const node = el.querySelector('.nbc-stage')!;
      node.textContent = label;
      node.className = `nbc-stage nbc-stage-${stage.stage}`;
    });
  }

  private async fetch(course: string, assignment: string): Promise<void> {
    await this.attempt(`Fetching ${assignment} failed`, async () => {
      const r = await this.api.assignment<{ notebooks: string[] }>(course, assignment, 'fetch');
      this.say(`Fetched ${assignment} into ${course}/${assignment}/.`);
      await this.refresh();
      if (r.notebooks.length) {
        this.host.openPath(r.notebooks[0]);
      }
    });
  }

  private openAssignment(course: string, assignment: string): void {
    this.host.openPath(`${course}/${assignment}/${assignment}.ipynb`);
  }

  private async submit(course: string, assignment: string): Promise<void> {
    await this.attempt(`Submitting ${assignment} failed`, async () => {
      await this.api.assignment(course, assignment, 'submit');
      this.say(`Submitted ${assignment}: the service is grading it.`);
      await this.refresh();
      await this.waitForGrade(course, assignment);
    });
  }

  /** Poll my grades for a while after a submission, until its feedback is out. */
  private async waitForGrade(course: string, assignment: string): Promise<void> {
    for (let i = 0; i < 40; i++) {
      await new Promise(r => setTimeout(r, 3000));
      const grades = (await this.api.service<{ grades: GradeRow[] }>(`me/grades?course=${encodeURIComponent(course)}`)).grades;
      const latest = grades.filter(g => g.assignment_id === assignment).pop();
      if (latest && latest.state !== 'pending') {
        await this.refresh();
        if (latest.feedback_available) {
          this.say(`${assignment} is graded: ${latest.score} / ${latest.max_score}.`);
        }
        return;
      }
    }
  }

  private async feedback(course: string, assignment: string): Promise<void> {
    await this.attempt(`Feedback of ${assignment}`, async () => {
      const r = await this.api.assignment<{ feedback: string[] }>(course, assignment, 'fetch_feedback');
      if (!r.feedback.length) {
        this.say(`No feedback for ${assignment} yet.`, 'error');
        return;
      }
      this.host.openPath(r.feedback[r.feedback.length - 1]);
    });
  }

  // ---- instructor view -------------------------------------------------------------------

  private renderInstructor(course: Course): HTMLElement {
    const card = h('section', { class: 'nbc-card nbc-teach', 'data-course': course.id });
    this.brand(card, course);
    const hub = PageConfig.getOption('hubPrefix') || '/hub/';
    const root = hub.replace(/hub\/?$/, '');
    const dashboard = `${root}services/nbcampus/courses/${encodeURIComponent(course.id)}/dashboard`;
    add(
      card,
      h('h4', {}, course.title),
      h('div', { class: 'nbc-meta' }, `${course.seats.taken} enrolled · `, h('a', { class: 'nbc-dashboard', href: dashboard, target: '_blank', rel: 'noopener' }, 'Dashboard'))
    );
    const items: { id: string; title: string }[] = [];
    for (const module of course.modules) {
      for (const a of module.assignments) {
        items.push(a);
        const status = h('span', { class: 'nbc-grading' }, '…');
        add(
      card,
          h(
            'div',
            { class: 'nbc-item nbc-teach-assignment', 'data-title': a.title },
            h('div', { class: 'nbc-item-head' }, h('span', { class: 'nbc-kind' }, 'exercise'), h('span', { class: 'nbc-title' }, a.title)),
            status,
            h(
              'div',
              { class: 'nbc-actions' },
              this.button('Release', 'nbc-release', () =>
                this.attempt(`Releasing ${a.id} failed`, async () => {
                  await this.api.assignment(course.id, a.id, 'release');
                  this.say(`Released ${a.id}.`);
                })
              )
            )
          )
        );
        void this.api
          .service<{ jobs: Record<string, number>; grades: unknown[] }>(`courses/${course.id}/assignments/${a.id}/grading`)
          .then(g => {
            const parts = Object.entries(g.jobs)
              .filter(([, n]) => n)
              .map(([state, n]) => `${n} ${state}`);
            status.textContent = `Grading: ${parts.length ? parts.join(', ') : 'no submissions'} · ${g.grades.length} grade(s)`;
          })
          .catch((e: Error) => (status.textContent = `Grading status: ${e.message}`));
      }
      if (module.quiz) {
        items.push({ id: `${module.id}-quiz`, title: module.quiz.title });
      }
    }
    add(card, this.extensionForm(course, items));
    return card;
  }

  private extensionForm(course: Course, items: { id: string; title: string }[]): HTMLElement {
    const learner = h('select', { class: 'nbc-ext-learner', 'aria-label': 'Learner' }) as HTMLSelectElement;
    const item = h('select', { class: 'nbc-ext-item', 'aria-label': 'Assignment' }) as HTMLSelectElement;
    for (const i of items) {
      item.append(h('option', { value: i.id }, i.title));
    }
    const due = h('input', { class: 'nbc-ext-due', type: 'datetime-local', 'aria-label': 'New due date' }) as HTMLInputElement;
    const reason = h('input', { class: 'nbc-ext-reason', type: 'text', placeholder: 'Reason (audited)', 'aria-label': 'Reason' }) as HTMLInputElement;
    void this.api
      .service<{ enrolments: { username: string }[] }>(`courses/${course.id}/enrolments?status=enrolled`)
      .then(r => {
        for (const e of r.enrolments) {
          learner.append(h('option', { value: e.username }, e.username));
        }
      })
      .catch(() => undefined);
    const extend = this.button('Extend deadline', 'nbc-extend', () =>
      this.attempt('Extension refused', async () => {
        if (!due.value) {
          throw new CampusError('choose the new due date', 400);
        }
        const r = await this.api.service<{ username: string; due_at: string }>(`courses/${course.id}/deadlines/${item.value}`, 'POST', {
          username: learner.value,
          due_at: localInputToISO(due.value),
          reason: reason.value
        });
        this.say(`${r.username}: ${item.value} now due ${localDate(new Date(r.due_at))}.`);
      })
    );
    return h('details', { class: 'nbc-extension' }, h('summary', {}, 'Extend a deadline'), learner, item, due, reason, extend);
  }
}
