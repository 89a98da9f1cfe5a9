/** Pieces of the learner and teaching cards: branding, item rows, due dates and countdowns. */
import { countdown, lateStage, LatePolicy, localDate } from '../time';
import type { Course, Deadline } from '../types';
import { Child, h } from './dom';

export type Status = 'not started' | 'in progress' | 'done' | 'submitted' | 'graded';

const STATUS_CLASS: Record<Status, string> = {
  'not started': 'nbc-status-new',
  'in progress': 'nbc-status-progress',
  done: 'nbc-status-done',
  submitted: 'nbc-status-submitted',
  graded: 'nbc-status-graded'
};

/** A course's colours and organisation (a COOC's branding) on its card. */
export function brand(card: HTMLElement, course: Course): void {
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

/** One lesson, exercise or quiz: title, status, due date (with countdown) and actions. */
export function itemRow(
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
          // the service's late policy of the item (a quiz's closes at its due date): one rule
          'data-policy': JSON.stringify(deadline.late_policy ?? policy ?? null),
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

/** Countdowns and late-policy stages of every due date under `root`, at `now` (server clock). */
export function updateCountdowns(root: HTMLElement, now: Date): void {
  root.querySelectorAll<HTMLElement>('.nbc-due').forEach(el => {
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
