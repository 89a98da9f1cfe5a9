/**
 * Progress tracking: which notebooks a learner opens, for how long they are active on each, and
 * how many cells they run, reported to the service in batches. No keystrokes, no content: only
 * a notebook path, a kind of event, seconds and a count. The service stamps the time itself.
 */
import { INotebookTracker, NotebookActions } from '@jupyterlab/notebook';
import { CampusAPI } from './api';
import type { ActivityEvent } from './types';

/** Seconds between activity samples, and between batches sent to the service. */
const TICK_SECONDS = 15;
const FLUSH_SECONDS = 60;
/** The learner counts as active this long after their last input in the page. */
const IDLE_SECONDS = 60;
const MAX_BATCH = 200;

export class ActivityTracker {
  private courses = new Set<string>();
  private queue: ActivityEvent[] = [];
  private active = new Map<string, number>();
  private executed = new Map<string, number>();
  private lastInput = Date.now();
  private connected = new Set<string>();
  private timers: number[] = [];

  constructor(
    private api: CampusAPI,
    private notebooks: INotebookTracker
  ) {
    // only the time of the last input is kept, never what it was
    const touch = () => (this.lastInput = Date.now());
    for (const type of ['keydown', 'mousedown', 'wheel', 'touchstart']) {
      document.addEventListener(type, touch, { capture: true, passive: true });
    }
    notebooks.widgetAdded.connect((_, panel) => {
      void panel.context.ready.then(() => this.add('open', panel.context.path));
    });
    NotebookActions.executed.connect((_, { notebook }) => {
      const panel = this.notebooks.find(p => p.content === notebook);
      if (panel) {
        const path = panel.context.path;
        this.executed.set(path, (this.executed.get(path) || 0) + 1);
      }
    });
    this.timers.push(window.setInterval(() => this.sample(), TICK_SECONDS * 1000));
    this.timers.push(window.setInterval(() => void this.flush(), FLUSH_SECONDS * 1000));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') {
        void this.flush();
      }
    });
  }

  /** The learner's enrolled courses: only their notebooks are reported. */
  setCourses(ids: string[]): void {
    this.courses = new Set(ids);
    for (const id of ids) {
      if (!this.connected.has(id)) {
        this.connected.add(id);
        this.queue.push({ course_id: id, kind: 'connect' });
      }
    }
  }

  /** The course a workspace path belongs to: its first folder, if an enrolled course. */
  courseOf(path: string): string | null {
    const first = path.split('/')[0];
    return this.courses.has(first) ? first : null;
  }

  private add(kind: ActivityEvent['kind'], path: string): void {
    const course = this.courseOf(path);
    if (course) {
      this.queue.push({ course_id: course, kind, notebook: path });
    }
  }

  private sample(): void {
    const current = this.notebooks.currentWidget;
    const idle = (Date.now() - this.lastInput) / 1000 > IDLE_SECONDS;
    if (!current || idle || document.visibilityState !== 'visible') {
      return;
    }
    const path = current.context.path;
    if (this.courseOf(path)) {
      this.active.set(path, (this.active.get(path) || 0) + TICK_SECONDS);
    }
  }

  /** Send what has been gathered; on failure keep it for the next batch. */
  async flush(): Promise<void> {
    for (const [path, seconds] of this.active) {
      const course = this.courseOf(path);
      if (course) {
        this.queue.push({ course_id: course, kind: 'active', notebook: path, seconds: Math.min(seconds, 3600) });
      }
    }
    for (const [path, count] of this.executed) {
      const course = this.courseOf(path);
      if (course) {
        this.queue.push({ course_id: course, kind: 'execute', notebook: path, count: Math.min(count, 10000) });
      }
    }
    this.active.clear();
    this.executed.clear();
    while (this.queue.length) {
      const batch = this.queue.slice(0, MAX_BATCH);
      try {
        await this.api.post('/api/me/activity', {}, { events: batch });
      } catch (e: any) {
        if (e && e.status >= 500) {
          return; // the service is away: try again with the next batch
        }
        // a refused batch (left the course...) is dropped, not retried forever
        console.warn('nbcampus: activity batch refused:', e && e.message);
      }
      this.queue.splice(0, batch.length);
    }
  }

  dispose(): void {
    this.timers.forEach(t => window.clearInterval(t));
  }
}
