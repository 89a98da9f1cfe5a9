/** A catalog card: a course I may join, with its seats, and Enrol (with an invite code). */
import type { PanelContext } from '../shared/context';
import { brand } from '../shared/cards';
import { add, h } from '../shared/dom';
import type { Course } from '../types';

export function renderOffer(ctx: PanelContext, course: Course): HTMLElement {
  const card = h('section', { class: 'nbc-card nbc-offer', 'data-course': course.id });
  brand(card, course);
  const seats = course.seats.cap == null ? admission(course) : `${course.seats.left} of ${course.seats.cap} seats left`;
  const weeks = `${course.duration_weeks} week${course.duration_weeks === 1 ? '' : 's'}`;
  add(
    card,
    course.branding?.organisation ? h('div', { class: 'nbc-org' }, course.branding.organisation) : null,
    h('h4', {}, course.title),
    h('div', { class: 'nbc-meta' }, `${course.format.toUpperCase()} · ${weeks} · ${course.hours_per_week} h/week · ${seats}`),
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
    ctx.attempt(`Enrolment in ${course.title} refused`, async () => {
      const body = code && code.value.trim() ? { code: code.value.trim() } : {};
      const result = await ctx.api.post('/api/courses/{course}/enrolments', { course: course.id }, body);
      if (result.status === 'waitlisted') {
        ctx.say(`${course.title} is full: you are on the waiting list.`, 'error');
      } else {
        await ctx.api.call(`courses/${course.id}/materials`, { method: 'POST' });
        ctx.say(`You are enrolled in ${course.title}. Its lessons are in the folder ${course.id}/.`);
      }
      await ctx.refresh();
    })
  );
  add(card, h('div', { class: 'nbc-actions' }, code, enrol));
  return card;
}

/** Who may join a course without a seat cap: its enrolment rule says it (a COOC is not open). */
function admission(course: Course): string {
  switch (course.enrolment.rule) {
    case 'organisation':
      return `${course.branding?.organisation || 'its organisation'} only`;
    case 'invite':
      return 'by invitation';
    default:
      return 'open to all';
  }
}
