/**
 * The shapes the Courses panel reads and sends, from the service's OpenAPI document.
 *
 * `./schema` (schema.d.ts) is generated at build time by `make labextension` from
 * `nbcampus.service.openapi` with openapi-typescript; it is not committed and never edited.
 *
 * `Answer<P, M>` is the JSON body of the success response of `M P` in that document. Where the
 * document still says only `{"type": "object"}` for it, the generated type has no properties and
 * `Answer` falls back to the hand-written shape in `Undocumented` below. As soon as the document
 * describes the response, the generated type wins by itself, tsc checks the panel against it, and
 * a test (tests/test_labextension_types.py) asks for the fallback to be deleted.
 * `Body<P, M>` is the JSON request body, which the document already describes.
 */
import type { paths } from './schema';
import type { LatePolicy } from './time';

export type Method = 'get' | 'post';

/** The service's paths that have operation `M`. */
export type ServicePath<M extends Method> = {
  [P in keyof paths]: paths[P] extends Record<M, object> ? P : never;
}[keyof paths];

type Operation<P extends keyof paths, M extends Method> = paths[P] extends Record<M, infer O> ? O : never;

type Success<R> = R extends { 200: infer A } ? A : R extends { 201: infer A } ? A : R extends { 202: infer A } ? A : never;

type JsonContent<A> = A extends { content: { 'application/json': infer J } } ? J : never;

/** The success body exactly as the generated document says. */
export type Generated<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { responses: infer R } ? JsonContent<Success<R>> : never;

/** An answer the document says nothing about: openapi-typescript's `Record<string, never>` for
 * a bare `{"type": "object"}`, or no JSON at all. */
type Undescribed<T> = [T] extends [never]
  ? true
  : [T] extends [Record<string, never>]
    ? [Record<string, never>] extends [T]
      ? true
      : false
    : false;

/** The success body of `M P`: the document's, or the fallback while the document has none. */
export type Answer<P extends keyof paths, M extends Method> =
  Undescribed<Generated<P, M>> extends true
    ? `${M} ${P}` extends keyof Undocumented
      ? Undocumented[`${M} ${P}`]
      : unknown
    : Generated<P, M>;

/** The JSON request body of `M P` (undefined when the operation takes none). */
export type Body<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody: { content: { 'application/json': infer B } } } ? B : undefined;

// ---- fallbacks: responses the document does not describe yet ------------------------------
// Hand-copied from the service's handlers. One entry per operation, keyed "method path" as in
// the document; delete an entry (and its interfaces) once the document describes the response.

interface CourseShape {
  id: string;
  title: string;
  format: string;
  description: string;
  hours_per_week: number;
  duration_weeks: number;
  enrolment: { rule: string; invite_only?: boolean };
  seats: { cap: number | null; taken: number; left: number | null };
  branding?: { organisation?: string; colors?: { primary?: string; accent?: string } } | null;
  modules: {
    id: string;
    title: string;
    week: number;
    lessons: { file: string; title: string }[];
    assignments: { id: string; title: string; points: number; late_policy?: LatePolicy }[];
    quiz?: { file: string; title: string };
  }[];
  my_status: string | null;
}

interface DeadlineShape {
  id: string;
  due_at: string;
  source: string;
  reason?: string | null;
}

interface GradeShape {
  course_id: string;
  assignment_id: string;
  submission_id: string;
  state: string;
  score?: number;
  max_score?: number;
  feedback_available: boolean;
}

/** Responses the document still gives as a bare object, keyed "method path". */
export interface Undocumented {
  'get /api/courses': { courses: CourseShape[] };
  'post /api/courses/{course}/enrolments': { status: string };
  'get /api/courses/{course}/enrolments': { enrolments: { username: string }[] };
  'get /api/courses/{course}/deadlines': { now: string };
  'post /api/courses/{course}/deadlines/{item}': { username: string; due_at: string };
  'get /api/courses/{course}/quizzes/{quiz}': { attempts: { score: number; max_score: number }[] };
  'get /api/courses/{course}/assignments/{assignment}/grading': { jobs: Record<string, number>; grades: unknown[] };
  'get /api/me/enrolments': {
    enrolments: { course: string; status: string; track: string; deadlines: DeadlineShape[] }[];
  };
  'get /api/me/grades': { grades: GradeShape[] };
  'get /api/me/progress': { course: string; username: string; progress: { score: number | null } };
  'get /api/me/certificates': { certificates: { course_id: string; verify_url: string; pdf_url: string }[] };
  'get /api/me/activity': { notebooks: { notebook: string }[] };
  'get /api/exchange/assignments': {
    assignments: { course_id: string; assignment_id: string; submissions: { id: string; attempt: number; received_at: string }[] }[];
  };
  'post /api/me/activity': { accepted: number };
}

// ---- the names the panel uses: always derived from Answer, so they follow the document ----

export type Course = Answer<'/api/courses', 'get'>['courses'][number];
export type Module = Course['modules'][number];
export type Assignment = Module['assignments'][number];
export type Enrolment = Answer<'/api/me/enrolments', 'get'>['enrolments'][number];
export type Deadline = Enrolment['deadlines'][number];
export type Released = Answer<'/api/exchange/assignments', 'get'>['assignments'][number];
export type GradeRow = Answer<'/api/me/grades', 'get'>['grades'][number];
export type Certificate = Answer<'/api/me/certificates', 'get'>['certificates'][number];
export type QuizStatus = Answer<'/api/courses/{course}/quizzes/{quiz}', 'get'>;
/** My line of the learners' report: `score` is THE weighted course score (percent, or null). */
export type Progress = Answer<'/api/me/progress', 'get'>['progress'];
export type ActivityEvent = Body<'/api/me/activity', 'post'>['events'][number];

// ---- the server extension's own routes (nbcampus/lab/handlers.py): not in the document ----

export interface WhoAmI {
  username: string;
  admin: boolean;
  staff_courses: string[];
}

/** What `fetch` answers: the fetched notebooks, relative to the server's root. */
export interface FetchResult {
  notebooks: string[];
}

/** What `fetch_feedback` answers: the feedback pages, relative to the server's root. */
export interface FeedbackResult {
  feedback: string[];
}
