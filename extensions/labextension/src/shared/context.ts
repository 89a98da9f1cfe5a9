/** What the learner and teaching views get from the panel that draws them. */
import { CampusAPI } from '../api';
import type { Place } from '../discussion/place';
import type { PeerTarget } from '../peer/view';
import type { PeerItem } from '../types';

/** The JupyterLab side of the panel: open a file, ask whether one exists, open a discussion. */
export interface PanelHost {
  openPath(path: string): void;
  pathExists(path: string): Promise<boolean>;
  /** Open the Discussion view of a course, at a module or an item. */
  openDiscussion(course: string, place?: Place): void;
  /** Open the "Review peers" tab of a peer-reviewed item (with `staffOnly`: its staff queue). */
  openPeerReview(course: string, item: PeerItem | PeerTarget, staffOnly?: boolean): void;
  /** Open one of the service's pages (a video lesson's player) in a JupyterLab tab. */
  openPage(url: string, title: string): void;
}

export interface PanelContext {
  readonly api: CampusAPI;
  readonly host: PanelHost;
  /** Show a message at the top of the panel. */
  say(text: string, kind?: 'info' | 'error'): void;
  /** Run an action; a refusal is shown as "<what>: <message>". */
  attempt(what: string, fn: () => Promise<void>): Promise<void>;
  /** Load everything from the service and draw the panel again. */
  refresh(): Promise<void>;
}
