/** Opening a course's Discussion view (one tab per course) and asking about a notebook cell. */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { CampusAPI } from '../api';
import type { CellSnapshot, Course, WhoAmI } from '../types';
import { Place, placeOfNotebook } from './place';
import { DiscussionView } from './view';

export const ASK_COMMAND = 'nbcampus:ask-about-cell';
/** output data kept in a question's cell (what the service keeps; the rest is not sent) */
const KEPT = ['text/plain', 'image/png'];
const MAX_OUTPUTS = 20;

export interface Campus {
  courses(): Course[];
  whoami(): WhoAmI | null;
  /** the discussion changed under me (read, posted): the panel's unread counts move */
  changed(): void;
}

export class Discussions {
  private views = new Map<string, DiscussionView>();

  constructor(
    private app: JupyterFrontEnd,
    private api: CampusAPI,
    private campus: Campus
  ) {}

  /** The course's Discussion tab, opened (or brought forward) showing the threads of `place`
   * (or, with `list` false, left for the caller to fill). */
  open(courseId: string, place: Place = {}, list = true): DiscussionView | null {
    const course = this.campus.courses().find(c => c.id === courseId);
    const me = this.campus.whoami();
    if (!course || !me) {
      return null;
    }
    let view = this.views.get(courseId);
    if (!view || view.isDisposed) {
      const moderates = me.admin || me.moderated_courses.includes(courseId);
      view = new DiscussionView(this.api, course, { username: me.username, moderates }, () => this.campus.changed());
      this.views.set(courseId, view);
      this.app.shell.add(view, 'main');
    }
    this.app.shell.activateById(view.id);
    if (list) {
      void view.showList(place);
    }
    return view;
  }

  /** The "ask about this cell" command, in the cell's context menu. */
  addAskCommand(notebooks: INotebookTracker): void {
    this.app.commands.addCommand(ASK_COMMAND, {
      label: 'Ask about this cell',
      caption: 'Ask a question in the course discussion, with this cell (source and outputs) attached',
      isEnabled: () => !!notebooks.activeCell && !!notebooks.currentWidget && !!placeOfNotebook(this.campus.courses(), notebooks.currentWidget.context.path),
      execute: () => {
        const panel = notebooks.currentWidget;
        const cell = notebooks.activeCell;
        const place = panel && placeOfNotebook(this.campus.courses(), panel.context.path);
        if (!panel || !cell || !place) {
          void showErrorMessage('Ask about this cell', 'Only cells of a course notebook (a lesson or an exercise in your course folder) can be asked about.');
          return;
        }
        const json = cell.model.toJSON() as any;
        const snapshot: CellSnapshot = {
          cell_type: json.cell_type,
          source: json.source,
          outputs: (json.outputs || []).slice(0, MAX_OUTPUTS).map(keptOutput),
          execution_count: json.execution_count ?? null,
          // nbgrader's marks go along: the service refuses a cell holding hidden tests
          // (the document types a free-form object as empty: hence the cast)
          metadata: (json.metadata?.nbgrader ? { nbgrader: json.metadata.nbgrader } : {}) as CellSnapshot['metadata'],
          notebook: panel.context.path,
          cell_id: String(json.id || '')
        };
        const view = this.open(place.course.id, { module: place.module, item: place.item }, false);
        view?.compose('question', { module: place.module, item: place.item }, snapshot);
      }
    });
    this.app.contextMenu.addItem({ command: ASK_COMMAND, selector: '.jp-Notebook .jp-Cell', rank: 100 });
  }
}

function keptOutput(o: any): any {
  if (o.output_type === 'execute_result' || o.output_type === 'display_data') {
    const data: Record<string, unknown> = {};
    for (const kind of KEPT) {
      if (o.data?.[kind] !== undefined) {
        data[kind] = o.data[kind];
      }
    }
    return { output_type: o.output_type, data };
  }
  return o;
}
