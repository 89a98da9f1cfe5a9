/**
 * nbcampus for JupyterLab: the "Courses" side panel and progress tracking.
 */
import { ILabShell, ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IFrame, LabIcon } from '@jupyterlab/ui-components';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ActivityTracker } from './activity';
import { CampusAPI } from './api';
import { Discussions } from './discussion/open';
import { CoursesPanel } from './panel';
import { PeerReviews } from './peer/open';
import { keepLookedAtNotebooksUnmodified } from './pristine';

const ICON = new LabIcon({
  name: 'nbcampus:courses',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24"><path class="jp-icon3" fill="#616161" d="M12 3 1 9l11 6 9-4.9V17h2V9L12 3zM5 13.2v4L12 21l7-3.8v-4L12 17l-7-3.8z"/></svg>'
});

/** Screens this narrow (a phone held upright) get the Courses view full width. */
const PHONE = '(max-width: 600px)';

const plugin: JupyterFrontEndPlugin<void> = {
  id: '@nbcampus/labextension:courses',
  description: 'nbcampus Courses panel: enrol, deadlines, fetch and submit, grades, progress; course discussions.',
  autoStart: true,
  requires: [IDocumentManager, INotebookTracker],
  optional: [ILabShell, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    docs: IDocumentManager,
    notebooks: INotebookTracker,
    shell: ILabShell | null,
    restorer: ILayoutRestorer | null
  ) => {
    const api = new CampusAPI();
    const tracker = new ActivityTracker(api, notebooks);
    keepLookedAtNotebooksUnmodified(notebooks);
    const discussions = new Discussions(app, api, {
      courses: () => panel.courses,
      whoami: () => panel.whoami,
      changed: () => void panel.refresh()
    });
    discussions.addAskCommand(notebooks);
    const peers = new PeerReviews(app, api, {
      courses: () => panel.courses,
      whoami: () => panel.whoami,
      changed: () => void panel.refresh()
    });
    const panel: CoursesPanel = new CoursesPanel(
      api,
      {
        openPath: path => {
          panel.noteOpened(path);
          void app.commands.execute('docmanager:open', { path });
        },
        pathExists: async path => {
          try {
            await docs.services.contents.get(path, { content: false });
            return true;
          } catch {
            return false;
          }
        },
        openDiscussion: (course, place) => void discussions.open(course, place),
        openPeerReview: (course, item, staffOnly) => peers.open(course, item, staffOnly),
        openPage: (url, title) => {
          // one tab per page: opening it again shows the tab already there
          const id = `nbcampus-page-${btoa(encodeURIComponent(url)).replace(/[^A-Za-z0-9]/g, '')}`;
          const open = Array.from(app.shell.widgets('main')).find(w => w.id === id);
          if (open) {
            app.shell.activateById(id);
            return;
          }
          // the service's own page (same origin, its own script under its CSP) plays the video
          const frame = new IFrame({ sandbox: ['allow-scripts', 'allow-same-origin'] });
          frame.url = url;
          frame.addClass('nbc-page');
          const tab = new MainAreaWidget({ content: frame });
          tab.id = id;
          tab.title.label = title;
          tab.title.closable = true;
          app.shell.add(tab, 'main');
          app.shell.activateById(id);
        }
      },
      tracker
    );
    panel.title.icon = ICON;
    notebooks.widgetAdded.connect((_, nb) => panel.noteOpened(nb.context.path));
    if (shell && window.matchMedia(PHONE).matches) {
      // a phone: the Courses view fills the screen and documents open one at a time, full
      // width, instead of being squeezed beside a sidebar (after the layout is restored, which
      // would bring the sidebar back)
      panel.title.label = 'Courses';
      app.shell.add(panel, 'main');
      void app.restored.then(() => {
        shell.mode = 'single-document';
        shell.collapseLeft();
        shell.collapseRight();
        for (const side of ['left', 'right'] as const) {
          if (shell.isSideTabBarVisible(side)) {
            shell.toggleSideTabBarVisibility(side); // JupyterLab's View menu shows them again
          }
        }
        app.shell.activateById(panel.id);
        document.body.dataset.nbcampusLanded = 'true';
      });
    } else {
      app.shell.add(panel, 'left', { rank: 50 });
      if (restorer) {
        restorer.add(panel, 'nbcampus-courses');
      }
      // the landing: a learner's JupyterLab opens on their courses, not an empty file browser
      void app.restored.then(() => {
        app.shell.activateById(panel.id);
        document.body.dataset.nbcampusLanded = 'true'; // what a test waits for before clicking
      });
    }
    void panel.refresh();
  }
};

export default plugin;
