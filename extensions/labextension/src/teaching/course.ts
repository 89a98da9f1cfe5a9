/**
 * A Teaching card, for a course I teach or grade: each assignment's grading status, its
 * Release button (the exercise) and Release feedback button (graded work, e.g. a SPOC's),
 * the deadline-extension form and the link to the course dashboard.
 */
import { PageConfig } from '@jupyterlab/coreutils';
import type { PanelContext } from '../shared/context';
import { brand } from '../shared/cards';
import { announcementsBox, discussionButton } from '../shared/discussion';
import { peerQueueButton } from '../shared/peer';
import { nudgesLine } from '../shared/rewards';
import { add, button, h } from '../shared/dom';
import type { Assignment, Course } from '../types';
import { upgradeQueue } from '../shared/upgrade';
import { extensionForm } from './extension';

/** The course dashboard page of the service (a page, not an API call: not forwarded). */
export function dashboardUrl(course: string): string {
  const hub = PageConfig.getOption('hubPrefix') || '/hub/';
  const root = hub.replace(/hub\/?$/, '');
  return `${root}services/nbcampus/courses/${encodeURIComponent(course)}/dashboard`;
}

/** The gradebook download for an LMS (staff who grade; the service refuses others). */
export function gradebookUrl(course: string, format: 'moodle' | 'canvas'): string {
  const hub = PageConfig.getOption('hubPrefix') || '/hub/';
  const root = hub.replace(/hub\/?$/, '');
  return `${root}services/nbcampus/api/courses/${encodeURIComponent(course)}/gradebook?format=${format}`;
}

/** A course whose discussions I moderate but do not teach (a mentor): its discussions only. */
export function renderMentoring(ctx: PanelContext, course: Course): HTMLElement {
  const card = h('section', { class: 'nbc-card nbc-mentor', 'data-course': course.id });
  brand(card, course);
  add(card, h('h4', {}, course.title), h('div', { class: 'nbc-meta' }, 'Mentor · ', discussionButton(ctx, course.id)), announcementsBox(ctx, course.id));
  return card;
}

export function renderTeaching(ctx: PanelContext, course: Course): HTMLElement {
  const card = h('section', { class: 'nbc-card nbc-teach', 'data-course': course.id });
  brand(card, course);
  add(
    card,
    h('h4', {}, course.title),
    h(
      'div',
      { class: 'nbc-meta' },
      `${course.seats.taken} enrolled · `,
      h('a', { class: 'nbc-dashboard', href: dashboardUrl(course.id), target: '_blank', rel: 'noopener' }, 'Dashboard'),
      ' · Gradebook ',
      h('a', { class: 'nbc-gradebook', href: gradebookUrl(course.id, 'moodle'), download: '' }, 'Moodle'),
      ' ',
      h('a', { class: 'nbc-gradebook', href: gradebookUrl(course.id, 'canvas'), download: '' }, 'Canvas'),
      ' ',
      discussionButton(ctx, course.id)
    ),
    nudgesLine(ctx, course.id),
    announcementsBox(ctx, course.id),
    (course.tracks as { verified?: boolean } | undefined)?.verified ? upgradeQueue(ctx, course.id) : null
  );
  const items: { id: string; title: string }[] = [];
  for (const module of course.modules) {
    for (const a of module.assignments) {
      items.push(a);
      add(card, assignmentRow(ctx, course, a));
    }
    if (module.quiz) {
      items.push({ id: `${module.id}-quiz`, title: module.quiz.title });
    }
  }
  add(card, extensionForm(ctx, course, items));
  return card;
}

function assignmentRow(ctx: PanelContext, course: Course, a: Assignment): HTMLElement {
  const status = h('span', { class: 'nbc-grading' }, '…');
  void ctx.api
    .get('/api/courses/{course}/assignments/{assignment}/grading', { course: course.id, assignment: a.id })
    .then(g => {
      const parts = Object.entries(g.jobs)
        .filter(([, n]) => n)
        .map(([state, n]) => `${n} ${state}`);
      const waiting = g.grades.filter(x => x.state === 'graded' && !x.released_at).length;
      status.textContent =
        `Grading: ${parts.length ? parts.join(', ') : 'no submissions'} · ${g.grades.length} grade(s)` +
        (waiting ? ` · ${waiting} awaiting release` : '');
    })
    .catch((e: Error) => (status.textContent = `Grading status: ${e.message}`));
  return h(
    'div',
    { class: 'nbc-item nbc-teach-assignment', 'data-title': a.title },
    h('div', { class: 'nbc-item-head' }, h('span', { class: 'nbc-kind' }, 'exercise'), h('span', { class: 'nbc-title' }, a.title)),
    status,
    h(
      'div',
      { class: 'nbc-actions' },
      button('Release', 'nbc-release', () =>
        ctx.attempt(`Releasing ${a.id} failed`, async () => {
          // the service releases from the course folder: nothing is needed in my home
          const r = await ctx.api.post('/api/courses/{course}/assignments/{assignment}/release', { course: course.id, assignment: a.id }, undefined);
          ctx.say(r.changed ? `Released ${a.id} (${r.files.join(', ')}).` : `${a.id} is already released as the course folder has it.`);
        })
      ),
      button('Release feedback', 'nbc-release-feedback', () =>
        ctx.attempt(`Releasing the feedback of ${a.id} failed`, async () => {
          // graded latest attempts only: work still to be graded by hand stays with the staff
          const r = await ctx.api.post('/api/courses/{course}/assignments/{assignment}/feedback/release', { course: course.id, assignment: a.id }, undefined);
          ctx.say(r.released.length ? `Feedback of ${a.id} released to ${r.released.length} learner(s).` : `No graded feedback of ${a.id} is waiting for release.`);
          await ctx.refresh();
        })
      ),
      peerQueueButton(ctx, course.id, a)
    )
  );
}
