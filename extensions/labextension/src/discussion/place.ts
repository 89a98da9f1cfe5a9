/** Where a thread sits in a course (the course, a module, one item), named as the panel shows it. */
import type { Course } from '../types';

export interface Place {
  module?: string;
  item?: string;
}

/** "Week 1: Values…", "Week 1 · Functions on numbers", or "the whole course". */
export function placeLabel(course: Course, module?: string | null, item?: string | null): string {
  const m = course.modules.find(x => x.id === module);
  if (!m) {
    return 'the whole course';
  }
  if (!item) {
    return `Week ${m.week}: ${m.title}`;
  }
  const lesson = m.lessons.find(l => l.file === item);
  const assignment = m.assignments.find(a => a.id === item);
  const title = lesson?.title ?? assignment?.title ?? (item === `${m.id}-quiz` ? m.quiz?.title : null) ?? item;
  return `Week ${m.week} · ${title}`;
}

/**
 * The course, module and item of a notebook in the learner's home: an exercise fetched into
 * `<course>/<assignment>/`, or a lesson at `<course>/<lesson file>`; null for any other file.
 */
export function placeOfNotebook(courses: Course[], path: string): { course: Course; module: string; item: string } | null {
  const [courseId, ...rest] = path.split('/');
  const course = courses.find(c => c.id === courseId);
  if (!course || !rest.length) {
    return null;
  }
  const inside = rest.join('/');
  for (const m of course.modules) {
    const lesson = m.lessons.find(l => l.file === inside);
    if (lesson) {
      return { course, module: m.id, item: lesson.file };
    }
    const assignment = m.assignments.find(a => a.id === rest[0] && rest.length > 1);
    if (assignment) {
      return { course, module: m.id, item: assignment.id };
    }
  }
  return null;
}
