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

export type Method = 'get' | 'post' | 'patch';

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
  Operation<P, M> extends { requestBody?: infer R }
    ? [NonNullable<R>] extends [never]
      ? undefined
      : NonNullable<R> extends { content: { 'application/json': infer B } }
        ? B
        : undefined
    : undefined;

// ---- fallbacks: responses the document does not describe yet ------------------------------
// Hand-copied from the service's handlers. One entry per operation, keyed "method path" as in
// the document; delete an entry (and its interfaces) once the document describes the response.

/** Responses the document still gives as a bare object, keyed "method path": none today. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Undocumented {}

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

// discussions
export type ThreadList = Answer<'/api/courses/{course}/threads', 'get'>;
export type ThreadSummary = ThreadList['threads'][number];
export type Thread = Answer<'/api/threads/{thread}', 'get'>;
export type Post = Thread['posts'][number];
export type NewThread = Body<'/api/courses/{course}/threads', 'post'>;
export type CellSnapshot = NonNullable<NewThread['cell']>;
export type Announcement = Answer<'/api/courses/{course}/announcements', 'get'>['announcements'][number];
export type LiveSession = Answer<'/api/courses/{course}/sessions', 'get'>['sessions'][number];
export type PrivateQuestion = Answer<'/api/courses/{course}/private-questions', 'get'>['questions'][number];

// rewards and nudges
export type Points = Answer<'/api/courses/{course}/points', 'get'>;
export type Leaderboard = Answer<'/api/courses/{course}/leaderboard', 'get'>;

// peer review
export type PeerItem = Answer<'/api/courses/{course}/peer-reviews', 'get'>['items'][number];

// ---- the server extension's own routes (nbcampus/lab/handlers.py): not in the document ----

export interface WhoAmI {
  username: string;
  admin: boolean;
  staff_courses: string[];
  /** courses whose discussions I moderate (mentor, community manager, TA, instructor) */
  moderated_courses: string[];
}

/** What `fetch` answers: the fetched notebooks, relative to the server's root. */
export interface FetchResult {
  notebooks: string[];
}

/** What `fetch_feedback` answers: the feedback pages, relative to the server's root. */
export interface FeedbackResult {
  feedback: string[];
}
