/**
 * Rewards in a course card (courses whose file gives points): my points with a bar per module,
 * my streak of active weeks, and my cohort's opt-in leaderboard with the switch to appear on it.
 * Staff's Teaching card: how many learners are at risk now, and the nudges page (its form
 * messages one learner or the whole list). Loaded after the card is drawn; text only.
 */
import { PageConfig } from '@jupyterlab/coreutils';
import { CampusError } from '../api';
import type { PanelContext } from './context';
import { add, button, h } from './dom';
import type { Leaderboard, Points } from '../types';

/** The service's nudges page of a course (a page, not an API call: not forwarded). */
export function nudgesUrl(course: string): string {
  const hub = PageConfig.getOption('hubPrefix') || '/hub/';
  const root = hub.replace(/hub\/?$/, '');
  return `${root}services/nbcampus/courses/${encodeURIComponent(course)}/nudges`;
}

function weeks(n: number): string {
  return n === 1 ? '1 week' : `${n} weeks`;
}

function moduleBars(points: Points): HTMLElement {
  return h(
    'div',
    { class: 'nbc-points-modules' },
    ...points.modules.map(m => {
      const items = m.lessons + m.exercises + (m.has_quiz ? 1 : 0);
      const done = m.lessons_done + m.exercises_graded + (m.quiz_done ? 1 : 0);
      const percent = items ? Math.round((100 * done) / items) : 0;
      return h(
        'div',
        { class: 'nbc-points-module', 'data-module': m.id, title: `${done} of ${items} done` },
        h('span', { class: 'nbc-points-module-title' }, m.title),
        h('div', { class: 'nbc-points-bar' }, h('div', { class: 'nbc-points-bar-fill', style: `width: ${percent}%` }), h('span', { class: 'nbc-points-bar-text' }, `${percent}%`)),
        h('span', { class: 'nbc-points-module-points' }, `${m.points} pts`)
      );
    })
  );
}

function boardList(board: Leaderboard): HTMLElement {
  if (!board.entries.length) {
    return h('p', { class: 'nbc-leaderboard-empty' }, 'Nobody on the board yet.');
  }
  return h(
    'ol',
    { class: 'nbc-leaderboard-entries' },
    ...board.entries.map(e => h('li', { class: e.me ? 'nbc-leaderboard-me' : '', 'data-rank': String(e.rank) }, `${e.rank}. ${e.name}: ${e.points} pts`))
  );
}

function leaderboardBox(ctx: PanelContext, course: string, optedIn: boolean): HTMLElement {
  const box = h('details', { class: 'nbc-leaderboard' }, h('summary', {}, 'Leaderboard of my cohort'));
  const list = h('div', { class: 'nbc-leaderboard-list' });
  const show = (board: Leaderboard) => {
    list.replaceChildren(boardList(board));
    toggle.textContent = board.opted_in ? 'Leave the board' : 'Show me on the board';
    current = board.opted_in;
  };
  let current = optedIn;
  const toggle = button(optedIn ? 'Leave the board' : 'Show me on the board', 'nbc-leaderboard-toggle', () =>
    ctx.attempt('Changing your leaderboard choice failed', async () => {
      show(await ctx.api.patch('/api/courses/{course}/leaderboard', { course }, { opted_in: !current }));
    })
  );
  add(box, h('p', { class: 'nbc-leaderboard-note' }, 'Only learners who chose to appear are shown.'), toggle, list);
  void ctx.api
    .get('/api/courses/{course}/leaderboard', { course })
    .then(show)
    .catch(() => (list.textContent = 'The leaderboard is not available.'));
  return box;
}

/** My points, per-module progress, streak and the leaderboard; empty when the course has no
 * rewards. */
export function rewardsBox(ctx: PanelContext, course: string): HTMLElement {
  const box = h('div', { class: 'nbc-rewards' });
  void ctx.api
    .get('/api/courses/{course}/points', { course })
    .then(points => {
      const streak = points.streak;
      add(
        box,
        h('div', { class: 'nbc-points-total' }, `${points.total} points`),
        h(
          'div',
          { class: 'nbc-streak', title: 'weeks in a row with some work in the course' },
          streak.current_weeks ? `Streak: ${weeks(streak.current_weeks)} in a row` : 'No streak yet: a little work this week starts one',
          streak.longest_weeks > streak.current_weeks ? ` (best ${weeks(streak.longest_weeks)})` : ''
        ),
        moduleBars(points),
        points.accepted_answers ? h('div', { class: 'nbc-points-discussion' }, `${points.accepted_answers} accepted answer(s): ${points.discussion_points} pts`) : null,
        points.leaderboard.enabled ? leaderboardBox(ctx, course, points.leaderboard.opted_in) : null
      );
      box.dataset.loaded = 'true';
    })
    .catch((e: Error) => {
      // 404: the course gives no points; nothing to show
      box.dataset.loaded = e instanceof CampusError && e.status === 404 ? 'none' : 'failed';
    });
  return box;
}

/** Staff: "3 learners at risk" and the nudges page (who was nudged, message them). */
export function nudgesLine(ctx: PanelContext, course: string): HTMLElement {
  const count = h('span', { class: 'nbc-at-risk' }, '');
  const line = h('div', { class: 'nbc-nudges' }, count, h('a', { class: 'nbc-nudges-open', href: nudgesUrl(course), target: '_blank', rel: 'noopener' }, 'Nudges'));
  void ctx.api
    .get('/api/courses/{course}/nudges', { course })
    .then(view => {
      const n = view.at_risk.length;
      const last = view.nudges[0];
      count.textContent = `${n} learner(s) at risk now${last ? `, last nudged ${new Date(last.created_at).toLocaleString()}` : ''} · `;
      line.dataset.loaded = 'true';
    })
    .catch(() => {
      line.dataset.loaded = 'failed';
      line.hidden = true; // a TA who grades but does not teach: no nudges to show
    });
  return line;
}
