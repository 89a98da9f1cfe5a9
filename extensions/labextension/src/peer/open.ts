/** Opening the "Review peers" tab of a peer-reviewed item (one tab per item). */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { CampusAPI } from '../api';
import type { Course, PeerItem, WhoAmI } from '../types';
import { PeerReviewView, PeerTarget } from './view';

export interface PeerCampus {
  courses(): Course[];
  whoami(): WhoAmI | null;
  changed(): void;
}

export class PeerReviews {
  private views = new Map<string, PeerReviewView>();

  constructor(
    private app: JupyterFrontEnd,
    private api: CampusAPI,
    private campus: PeerCampus
  ) {}

  /** A learner's tab (from their listing line), or with `staffOnly` the staff's queue. */
  open(courseId: string, item: PeerItem | PeerTarget, staffOnly = false): void {
    const course = this.campus.courses().find(c => c.id === courseId);
    const me = this.campus.whoami();
    if (!course || !me) {
      return;
    }
    const key = `${courseId}/${item.item}`;
    let view = this.views.get(key);
    if (!view || view.isDisposed) {
      const staff = me.admin || me.staff_courses.includes(courseId);
      view = new PeerReviewView(this.api, course, item, staff, !staffOnly, () => this.campus.changed());
      this.views.set(key, view);
      this.app.shell.add(view, 'main');
    }
    this.app.shell.activateById(view.id);
    if (staffOnly) {
      void view.queue();
    } else {
      const mine = item as PeerItem;
      void (mine.grade || mine.reviews_given >= mine.reviews_required ? view.received() : view.review());
    }
  }
}
