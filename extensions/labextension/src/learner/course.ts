/**
 * A course I am enrolled in: its weekly modules (lessons, exercises, quiz) with status, due
 * dates and actions, my completion, THE weighted course score (from the service), certificate.
 */
import { PageConfig } from '@jupyterlab/coreutils';
import type { PanelContext } from '../shared/context';
import { brand, itemRow, Status } from '../shared/cards';
import { announcementsBox, discussButton, discussionButton } from '../shared/discussion';
import { courseHomeUrl, upgradeBox } from '../shared/upgrade';
import { isVideo, watchUrl } from '../shared/video';
import { peerReviewRows } from '../shared/peer';
import { rewardsBox } from '../shared/rewards';
import { add, button, Child, h } from '../shared/dom';
import type { Assignment, Course, Enrolment, Progress } from '../types';
import { fetchAssignment, openAssignment, openFeedback, submitAssignment } from './actions';
import { LearnerState } from './state';

export function renderCourse(ctx: PanelContext, state: LearnerState, course: Course, enrolment: Enrolment): HTMLElement {
  const card = h('section', { class: 'nbc-card nbc-course', 'data-course': course.id });
  brand(card, course);
  const deadlines = new Map(enrolment.deadlines.map(d => [d.id, d]));
  let items = 0;
  let done = 0;
  const modules = course.modules.map(module => {
    const rows: HTMLElement[] = [];
    for (const lesson of module.lessons) {
      const path = `${course.id}/${lesson.file}`;
      // the service's status (done after some work in it); opened since the last load: in progress
      const known = state.lessons.get(path);
      const status: Status = known === 'done' ? 'done' : known === 'in progress' || state.opened.has(path) ? 'in progress' : 'not started';
      items++;
      if (status === 'done') {
        done++;
      }
      const open = isVideo(lesson)
        ? h('button', { class: 'nbc-button nbc-watch', onclick: () => ctx.host.openPage(watchUrl(course.id, lesson.file), lesson.title) }, 'Watch')
        : h('button', { class: 'nbc-button nbc-open', onclick: () => ctx.host.openPath(path) }, 'Open');
      rows.push(itemRow(isVideo(lesson) ? 'video' : 'lesson', lesson.title, status, null, [open]));
    }
    for (const a of module.assignments) {
      items++;
      const { status, extra } = assignmentState(ctx, state, course, a);
      if (status === 'graded') {
        done++;
      }
      rows.push(itemRow('exercise', a.title, status, deadlines.get(a.id) || null, extra, a.late_policy, a.id));
    }
    if (module.quiz) {
      items++;
      const quizId = `${module.id}-quiz`;
      const attempts = state.quizzes.get(`${course.id}/${quizId}`)?.attempts || [];
      const status: Status = attempts.length ? 'graded' : 'not started';
      if (attempts.length) {
        done++;
      }
      const best = attempts.reduce((m, a) => Math.max(m, a.score), 0);
      const voila = `${PageConfig.getBaseUrl()}voila/render/${course.id}/quizzes/${quizId}.ipynb`;
      rows.push(
        itemRow('quiz', module.quiz.title, status, deadlines.get(quizId) || null, [
          attempts.length ? h('span', { class: 'nbc-score' }, `Best ${best} / ${attempts[0].max_score}`) : null,
          h('a', { class: 'nbc-button nbc-open-quiz', href: voila, target: '_blank', rel: 'noopener' }, 'Take quiz')
        ])
      );
    }
    const heading = h(
      'h5',
      {},
      `Week ${module.week}: ${module.title} `,
      moduleAward(state, course.id, module.id),
      discussButton(ctx, course.id, { module: module.id })
    );
    return h('div', { class: 'nbc-module', 'data-module': module.id }, heading, ...rows);
  });
  const percent = items ? Math.round((100 * done) / items) : 0;
  // the course's own certificate (module awards show in their module's heading)
  const certificate = state.certificates.find(c => c.course_id === course.id && !c.module_id && !c.revoked_at);
  add(
    card,
    course.branding?.organisation ? h('div', { class: 'nbc-org' }, course.branding.organisation) : null,
    h('h4', {}, course.title),
    h(
      'div',
      { class: 'nbc-meta' },
      `${course.format.toUpperCase()} · ${enrolment.track} track `,
      discussionButton(ctx, course.id),
      ' ',
      h('a', { class: 'nbc-course-home', href: courseHomeUrl(course.id), target: '_blank', rel: 'noopener' }, 'Course home')
    ),
    upgradeBox(ctx, course.id, enrolment.track, Boolean((course.tracks as { verified?: boolean } | undefined)?.verified)),
    announcementsBox(ctx, course.id),
    h(
      'div',
      { class: 'nbc-progress', title: 'lessons done, exercises graded and quizzes taken' },
      h('div', { class: 'nbc-progress-bar', style: `width: ${percent}%` }),
      h('span', { class: 'nbc-progress-text' }, `${percent}% complete`)
    ),
    courseScore(state.progress.get(course.id)),
    rewardsBox(ctx, course.id),
    certificate
      ? h(
          'div',
          { class: 'nbc-certificate' },
          'Certificate: ',
          certificate.pdf_url ? h('a', { href: certificate.pdf_url, target: '_blank', rel: 'noopener' }, 'PDF') : null,
          ' · ',
          h('a', { href: certificate.verify_url, target: '_blank', rel: 'noopener' }, 'verify')
        )
      : null,
    ...modules,
    peerReviewRows(ctx, course.id)
  );
  return card;
}

/** My live award of a module (a badge, or a module certificate with its PDF), if I have one. */
function moduleAward(state: LearnerState, courseId: string, moduleId: string): HTMLElement | null {
  const award = state.certificates.find(c => c.course_id === courseId && c.module_id === moduleId && !c.revoked_at);
  if (!award) {
    return null;
  }
  const label = award.award === 'badge' ? 'Badge' : 'Module certificate';
  return h(
    'span',
    { class: 'nbc-module-award', 'data-award': award.award, title: 'issued for completing this module' },
    h('a', { href: award.verify_url, target: '_blank', rel: 'noopener' }, `${label} ✓`),
    award.pdf_url ? ' · ' : null,
    award.pdf_url ? h('a', { href: award.pdf_url, target: '_blank', rel: 'noopener' }, 'PDF') : null,
    ' '
  );
}

/** THE weighted course score, as the service computes it for my report line (never here). */
function courseScore(progress: Progress | undefined): HTMLElement | null {
  if (!progress) {
    return null; // the service did not answer: no line rather than a wrong one
  }
  const score = progress.score;
  return h(
    'div',
    { class: 'nbc-course-score', title: "weighted by the course's grading rules, as in your report" },
    score == null ? 'Course score: nothing graded yet' : `Course score ${score.toFixed(1)}%`
  );
}

function assignmentState(ctx: PanelContext, state: LearnerState, course: Course, a: Assignment): { status: Status; extra: Child[] } {
  const key = `${course.id}/${a.id}`;
  const release = state.released.find(r => r.course_id === course.id && r.assignment_id === a.id);
  const grades = state.grades.filter(g => g.course_id === course.id && g.assignment_id === a.id);
  const latest = grades[grades.length - 1];
  const fetched = state.fetched.has(key);
  const extra: Child[] = [];
  let status: Status = 'not started';
  if (latest && latest.feedback_available) {
    status = 'graded';
    // the grade that counts (the service's rule: best or latest attempt), else the latest
    const counted = grades.find(g => g.counted) || latest;
    extra.push(h('span', { class: 'nbc-score' }, `Score ${counted.score} / ${counted.max_score}`));
    extra.push(button('Feedback', 'nbc-feedback', () => openFeedback(ctx, course.id, a.id)));
  } else if (latest) {
    status = 'submitted';
    extra.push(h('span', { class: 'nbc-pending' }, latest.state === 'pending' ? 'grading…' : latest.state));
  } else if (fetched) {
    status = 'in progress';
  }
  if (!release) {
    extra.push(h('span', { class: 'nbc-pending' }, 'not released yet'));
  } else if (!fetched) {
    extra.push(button('Fetch', 'nbc-fetch', () => fetchAssignment(ctx, course.id, a.id)));
  } else {
    extra.push(button('Open', 'nbc-open', () => openAssignment(ctx, course.id, a.id)));
    extra.push(button('Submit', 'nbc-submit', () => submitAssignment(ctx, course.id, a.id)));
  }
  if (release) {
    // said before the learner submits: may a later, worse attempt replace a grade?
    const rule = release.counted_attempt === 'latest' ? 'your latest graded attempt counts' : 'your best graded attempt counts';
    extra.push(h('span', { class: 'nbc-counted-attempt' }, rule));
  }
  return { status, extra };
}
