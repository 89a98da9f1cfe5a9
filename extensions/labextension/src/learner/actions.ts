/** The learner's actions on an exercise: fetch, submit (then follow the grade), feedback. */
import type { PanelContext } from '../shared/context';
import type { FeedbackResult, FetchResult } from '../types';

export async function fetchAssignment(ctx: PanelContext, course: string, assignment: string): Promise<void> {
  await ctx.attempt(`Fetching ${assignment} failed`, async () => {
    const r = await ctx.api.assignment<FetchResult>(course, assignment, 'fetch');
    ctx.say(`Fetched ${assignment} into ${course}/${assignment}/.`);
    await ctx.refresh();
    if (r.notebooks.length) {
      ctx.host.openPath(r.notebooks[0]);
    }
  });
}

export function openAssignment(ctx: PanelContext, course: string, assignment: string): void {
  ctx.host.openPath(`${course}/${assignment}/${assignment}.ipynb`);
}

export async function submitAssignment(ctx: PanelContext, course: string, assignment: string): Promise<void> {
  await ctx.attempt(`Submitting ${assignment} failed`, async () => {
    await ctx.api.assignment(course, assignment, 'submit');
    ctx.say(`Submitted ${assignment}: the service is grading it.`);
    await ctx.refresh();
    await waitForGrade(ctx, course, assignment);
  });
}

/** Poll my grades for a while after a submission, until its feedback is out. */
async function waitForGrade(ctx: PanelContext, course: string, assignment: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await new Promise(r => setTimeout(r, 3000));
    const grades = (await ctx.api.get('/api/me/grades', {}, { course })).grades;
    const latest = grades.filter(g => g.assignment_id === assignment).pop();
    if (latest && latest.state !== 'pending') {
      await ctx.refresh();
      if (latest.feedback_available) {
        ctx.say(`${assignment} is graded: ${latest.score} / ${latest.max_score}.`);
      }
      return;
    }
  }
}

export async function openFeedback(ctx: PanelContext, course: string, assignment: string): Promise<void> {
  await ctx.attempt(`Feedback of ${assignment}`, async () => {
    const r = await ctx.api.assignment<FeedbackResult>(course, assignment, 'fetch_feedback');
    if (!r.feedback.length) {
      ctx.say(`No feedback for ${assignment} yet.`, 'error');
      return;
    }
    ctx.host.openPath(r.feedback[r.feedback.length - 1]);
  });
}
