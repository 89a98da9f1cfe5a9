/** Extend a deadline for one learner, with a reason (audited by the service). */
import { CampusError } from '../api';
import type { PanelContext } from '../shared/context';
import { button, h } from '../shared/dom';
import { localDate, localInputToISO } from '../time';
import type { Course } from '../types';

export function extensionForm(ctx: PanelContext, course: Course, items: { id: string; title: string }[]): HTMLElement {
  const learner = h('select', { class: 'nbc-ext-learner', 'aria-label': 'Learner' }) as HTMLSelectElement;
  const item = h('select', { class: 'nbc-ext-item', 'aria-label': 'Assignment' }) as HTMLSelectElement;
  for (const i of items) {
    item.append(h('option', { value: i.id }, i.title));
  }
  const due = h('input', { class: 'nbc-ext-due', type: 'datetime-local', 'aria-label': 'New due date' }) as HTMLInputElement;
  const reason = h('input', { class: 'nbc-ext-reason', type: 'text', placeholder: 'Reason (audited)', 'aria-label': 'Reason' }) as HTMLInputElement;
  void ctx.api
    .get('/api/courses/{course}/enrolments', { course: course.id }, { status: 'enrolled' })
    .then(r => {
      for (const e of r.enrolments) {
        learner.append(h('option', { value: e.username }, e.username));
      }
    })
    .catch(() => undefined);
  const extend = button('Extend deadline', 'nbc-extend', () =>
    ctx.attempt('Extension refused', async () => {
      if (!due.value) {
        throw new CampusError('choose the new due date', 400);
      }
      const r = await ctx.api.post(
        '/api/courses/{course}/deadlines/{item}',
        { course: course.id, item: item.value },
        { username: learner.value, due_at: localInputToISO(due.value), reason: reason.value }
      );
      ctx.say(`${r.username}: ${item.value} now due ${localDate(new Date(r.due_at))}.`);
    })
  );
  return h('details', { class: 'nbc-extension' }, h('summary', {}, 'Extend a deadline'), learner, item, due, reason, extend);
}
