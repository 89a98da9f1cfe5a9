/**
 * Calibration: before reviewing peers, a learner assesses the course's example answers until
 * each agrees with the staff's assessment. Feedback per criterion ("agrees", "too high", "too
 * low"); the staff's levels and explanation only once the example is passed.
 */
import { CampusAPI } from '../api';
import { postBody } from '../discussion/html';
import { button, h } from '../shared/dom';
import type { Answer } from '../types';
import { Criterion, rubricForm } from './rubric';

type Example = Answer<'/api/courses/{course}/peer-reviews/{item}/calibration', 'get'>;
type Checked = Answer<'/api/courses/{course}/peer-reviews/{item}/calibration', 'post'>;

/** What the practice needs of the "Review peers" view. */
export interface CalibrationHost {
  api: CampusAPI;
  course: string;
  item: string;
  say(text: string, kind?: 'info' | 'error'): void;
  attempt(what: string, fn: () => Promise<void>): Promise<void>;
  state(state: string): void;
  /** the next example (or, once calibrated, the work of a peer) */
  next(): void;
}

/** The example answer (safe HTML from the service, sanitised again) beside the rubric form. */
export function exampleNodes(host: CalibrationHost, e: Example): HTMLElement[] {
  const rubric = e.rubric as Criterion[];
  const form = rubricForm(rubric, `c${e.index}`, false);
  const feedback = h('div', { class: 'nbc-calibration-feedback', 'aria-live': 'polite' });
  const check = button('Check', 'nbc-calibration-check', async () => {
    const answer = form.value();
    if ('missing' in answer) {
      host.say(`Choose a level for "${answer.missing}".`, 'error');
      return;
    }
    await host.attempt('Your assessment was refused', async () => {
      const r = await host.api.post('/api/courses/{course}/peer-reviews/{item}/calibration', { course: host.course, item: host.item }, { index: e.index ?? 0, levels: answer.levels });
      host.say('');
      feedback.replaceChildren(...feedbackNodes(host, rubric, r));
      host.state(r.passed ? 'calibration-passed' : 'calibration-retry');
    });
  });
  const within = e.tolerance ? ` (within ${e.tolerance} points per criterion)` : '';
  return [
    h('p', { class: 'nbc-meta nbc-calibration-intro' }, `Practice before reviewing your peers: example ${(e.index ?? 0) + 1} of ${e.examples}. Assess it as the staff would${within}.`),
    h('div', { class: 'nbc-peer-split' }, postBody(e.answer_html ?? '', 'nbc-calibration-answer'), h('div', { class: 'nbc-peer-form' }, form.node, check, feedback))
  ];
}

function feedbackNodes(host: CalibrationHost, rubric: Criterion[], r: Checked): (HTMLElement | string)[] {
  const titles = new Map(rubric.map(c => [c.id, c]));
  const verdicts = h(
    'ul',
    { class: 'nbc-calibration-verdicts' },
    ...Object.entries(r.criteria).map(([id, verdict]) => h('li', { class: `nbc-verdict nbc-verdict-${String(verdict).replace(' ', '-')}`, 'data-criterion': id }, `${titles.get(id)?.title ?? id}: ${verdict}`))
  );
  if (!r.passed) {
    return [h('p', { class: 'nbc-calibration-retry' }, 'Not yet: change the levels that are too high or too low, then check again.'), verdicts];
  }
  const reference = h(
    'ul',
    { class: 'nbc-calibration-reference' },
    ...Object.entries(r.reference ?? {}).map(([id, level]) => {
      const c = titles.get(id);
      const chosen = c?.levels[level as number];
      return h('li', {}, `${c?.title ?? id}: ${chosen ? `${chosen.points} pt · ${chosen.description}` : level}`);
    })
  );
  return [
    h('p', { class: 'nbc-calibration-passed' }, 'Passed: your assessment agrees with the staff’s.'),
    verdicts,
    h('h4', {}, 'The staff’s assessment'),
    reference,
    r.explanation_html ? postBody(r.explanation_html, 'nbc-calibration-explanation') : '',
    r.calibrated ? button('Review a peer', 'nbc-peer-allocate', () => host.next()) : button('Next example', 'nbc-calibration-next', () => host.next())
  ];
}
