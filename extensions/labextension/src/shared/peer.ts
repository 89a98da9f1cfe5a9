/** A course card's peer-reviewed items: where I stand (reviews given, received, my grade) and the
 * way into the "Review peers" tab. Loaded after the card is drawn. */
import type { PanelContext } from './context';
import { h } from './dom';

export function peerReviewRows(ctx: PanelContext, course: string): HTMLElement {
  const box = h('div', { class: 'nbc-peer-items' });
  void ctx.api
    .get('/api/courses/{course}/peer-reviews', { course })
    .then(r =>
      box.replaceChildren(
        ...r.items.map(item =>
          h(
            'div',
            { class: 'nbc-item nbc-peer-item', 'data-item': item.item },
            h('div', { class: 'nbc-item-head' }, h('span', { class: 'nbc-kind' }, 'peer review'), h('span', { class: 'nbc-title' }, item.title), h('span', { class: 'nbc-status' }, item.phase)),
            h(
              'div',
              { class: 'nbc-meta nbc-peer-standing' },
              `Reviews given ${item.reviews_given} / ${item.reviews_required} · received ${item.reviews_received}`,
              item.grade ? ` · Peer grade ${item.grade.score} / ${item.grade.max_score}` : '',
              item.calibration && !item.calibration.calibrated ? ` · Practice ${item.calibration.passed} / ${item.calibration.examples} examples first` : '',
              item.reviewing ? ` · ${reviewingLine(item.reviewing)}` : ''
            ),
            h('div', { class: 'nbc-actions' }, h('button', { class: 'nbc-button nbc-peer-open', onclick: () => ctx.host.openPeerReview(course, item) }, 'Review peers'))
          )
        )
      )
    )
    .catch(() => undefined); // no peer-review rows rather than no card
  return box;
}

/** "Your reviewing: 87.5 (4 reviews compared)" */
export function reviewingLine(r: { score: number; compared: number }): string {
  return `Your reviewing: ${r.score} (${r.compared} review${r.compared === 1 ? '' : 's'} compared)`;
}

/** Staff: the way into a peer-reviewed assignment's queue, drawn at once (the course file says
 * it is peer-reviewed); how many submissions wait and how many reviews are flagged follow. */
export function peerQueueButton(ctx: PanelContext, course: string, assignment: { id: string; title: string; peer_review?: unknown }): HTMLElement | null {
  if (!assignment.peer_review) {
    return null;
  }
  const counts = h('span', { class: 'nbc-peer-queue-counts' }, '…');
  const open = h(
    'button',
    {
      class: 'nbc-button nbc-peer-queue-open',
      onclick: () => ctx.host.openPeerReview(course, { item: assignment.id, title: assignment.title, rubric: [], reviews_required: 0 }, true)
    },
    'Peer review queue ',
    counts
  );
  void ctx.api
    .get('/api/courses/{course}/peer-reviews/{item}/queue', { course, item: assignment.id })
    .then(q => (counts.textContent = `(${q.short.length} short of reviews, ${q.flagged.length} flagged)`))
    .catch((e: Error) => (counts.textContent = `(counts: ${e.message})`));
  return open;
}
