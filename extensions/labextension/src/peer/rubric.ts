/** A rubric as a form: one group of levels per criterion, a comment per criterion, an overall one
 * (without the comments for calibration). */
import { h } from '../shared/dom';

export interface Level {
  points: number;
  description: string;
}

export interface Criterion {
  id: string;
  title: string;
  levels: Level[];
}

export interface RubricAnswer {
  levels: Record<string, number>;
  comments: Record<string, string>;
  comment: string;
}

export interface RubricForm {
  node: HTMLElement;
  /** the chosen levels and comments, or the first criterion left without a level */
  value(): RubricAnswer | { missing: string };
}

export function rubricForm(rubric: Criterion[], name: string, comments = true): RubricForm {
  const groups = rubric.map(c => {
    const radios = c.levels.map((level, i) => {
      const input = h('input', { type: 'radio', name: `${name}-${c.id}`, value: String(i), class: 'nbc-level' }) as HTMLInputElement;
      return { input, node: h('label', { class: 'nbc-level-choice' }, input, ` ${level.points} pt · ${level.description}`) };
    });
    const comment = h('textarea', { class: 'nbc-criterion-comment', rows: '2', 'aria-label': `Comment on ${c.title}`, placeholder: 'Comment (optional)' }) as HTMLTextAreaElement;
    const node = h('fieldset', { class: 'nbc-criterion', 'data-criterion': c.id }, h('legend', {}, c.title), ...radios.map(r => r.node), comments ? comment : null);
    return { c, radios, comment, node };
  });
  const overall = h('textarea', { class: 'nbc-review-comment', rows: '3', 'aria-label': 'Overall comment', placeholder: 'Overall comment: what works, what to improve (markdown)' }) as HTMLTextAreaElement;
  return {
    node: h('div', { class: 'nbc-rubric' }, ...groups.map(g => g.node), comments ? overall : null),
    value: () => {
      const answer: RubricAnswer = { levels: {}, comments: {}, comment: overall.value };
      for (const g of groups) {
        const chosen = g.radios.findIndex(r => r.input.checked);
        if (chosen < 0) {
          return { missing: g.c.title };
        }
        answer.levels[g.c.id] = chosen;
        if (g.comment.value.trim()) {
          answer.comments[g.c.id] = g.comment.value;
        }
      }
      return answer;
    }
  };
}
