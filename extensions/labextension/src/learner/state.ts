/** What the learner's side of the panel knows, loaded from the service on each refresh. */
import { CampusAPI, CampusError } from '../api';
import type { PanelHost } from '../shared/context';
import type { Certificate, Course, Enrolment, GradeRow, Progress, QuizStatus, Released } from '../types';

export class LearnerState {
  enrolments: Enrolment[] = [];
  released: Released[] = [];
  grades: GradeRow[] = [];
  certificates: Certificate[] = [];
  /** quiz status by `course/quiz` */
  quizzes = new Map<string, QuizStatus>();
  /** my line of the learners' report by course: the weighted course score comes from there */
  progress = new Map<string, Progress>();
  /** assignments fetched into the workspace, as `course/assignment` */
  fetched = new Set<string>();
  /** notebooks worked in: from the service's record of my activity, plus those opened since */
  opened = new Set<string>();
  /** the service's status of each lesson, by `course/file` (not started, in progress, done) */
  lessons = new Map<string, string>();

  /** The courses I am enrolled in (not waitlisted, not left). */
  enrolled(): Enrolment[] {
    return this.enrolments.filter(e => e.status === 'enrolled');
  }

  /** My enrolments, released assignments, grades and certificates. */
  async loadMine(api: CampusAPI): Promise<void> {
    const [mine, released, grades] = await Promise.all([
      api.get('/api/me/enrolments', {}),
      api.get('/api/exchange/assignments', {}),
      api.get('/api/me/grades', {})
    ]);
    this.enrolments = mine.enrolments;
    this.released = released.assignments;
    this.grades = grades.grades;
    try {
      this.certificates = (await api.get('/api/me/certificates', {})).certificates;
    } catch (e) {
      if (!(e instanceof CampusError && e.status === 404)) {
        throw e;
      }
      this.certificates = []; // the service has no certificates yet
    }
  }

  /** Per enrolled course: the notebooks I worked in, quiz attempts, my progress line, and
   * which assignments are in the workspace. */
  async loadCourses(api: CampusAPI, host: PanelHost, catalog: Course[]): Promise<void> {
    const enrolled = this.enrolled().map(e => e.course);
    const worked = await Promise.all(enrolled.map(course => api.get('/api/me/activity', {}, { course })));
    this.lessons.clear();
    for (const { course, notebooks, lessons } of worked) {
      notebooks.forEach(n => this.opened.add(n.notebook));
      lessons.forEach(l => this.lessons.set(`${course}/${l.file}`, l.status));
    }
    this.quizzes.clear();
    this.progress.clear();
    this.fetched.clear();
    await Promise.all(
      enrolled.flatMap(id => {
        const course = catalog.find(c => c.id === id);
        const progress = api
          .get('/api/me/progress', {}, { course: id })
          .then(p => void this.progress.set(id, p.progress))
          .catch(() => undefined); // no score line rather than no panel
        return [
          progress,
          ...(course ? course.modules : []).flatMap(m => [
            ...(m.quiz
              ? [
                  api
                    .get('/api/courses/{course}/quizzes/{quiz}', { course: id, quiz: `${m.id}-quiz` })
                    .then(q => void this.quizzes.set(`${id}/${m.id}-quiz`, q))
                    .catch(() => undefined)
                ]
              : []),
            ...m.assignments.map(a =>
              host.pathExists(`${id}/${a.id}`).then(yes => {
                if (yes) {
                  this.fetched.add(`${id}/${a.id}`);
                }
              })
            )
          ])
        ];
      })
    );
  }
}
