/**
 * One thread: its place, the cell it is about (as the learner saw it), the opening post, the
 * replies with the comments under them, votes, the accepted answer, and what I may do.
 */
import { button, h } from '../shared/dom';
import { localDate } from '../time';
import type { Course, Post, Thread } from '../types';
import { postBody } from './html';
import { placeLabel } from './place';

export interface ThreadActions {
  back(): void;
  vote(post: Post): Promise<void>;
  accept(post: Post, accepted: boolean): Promise<void>;
  /** a composer (for a reply, or a comment under `parent`) */
  composer(parent: Post | null): HTMLElement;
  follow(following: boolean): Promise<void>;
  moderate(change: { pinned?: boolean; closed?: boolean; reason?: string }): Promise<void>;
  hide(post: Post, reason: string): Promise<void>;
  flag(post: Post, reason: string): Promise<void>;
}

export interface Viewer {
  username: string;
  moderates: boolean;
}

export function renderThread(course: Course, t: Thread, me: Viewer, act: ThreadActions): HTMLElement[] {
  const opening = t.posts.find(p => p.depth === 0);
  const replies = t.posts.filter(p => p.depth === 1);
  const mayAccept = t.kind === 'question' && (t.author === me.username || me.moderates);
  const post = (p: Post): HTMLElement => {
    const accepted = t.accepted_post_id === p.id;
    const comments = t.posts.filter(c => c.depth === 2 && c.parent_id === p.id);
    return h(
      'div',
      { class: `nbc-post nbc-depth-${p.depth}${accepted ? ' nbc-accepted' : ''}${p.hidden ? ' nbc-hidden-post' : ''}`, 'data-post-id': String(p.id), 'data-author': p.author },
      h(
        'div',
        { class: 'nbc-meta' },
        h('strong', { title: p.author }, p.author_name),
        p.author_name !== p.author ? h('span', { class: 'nbc-handle' }, ` @${p.author}`) : null,
        ` · ${localDate(new Date(p.created_at))}${p.edits ? ` · edited ${p.edits}×` : ''}`,
        accepted ? h('span', { class: 'nbc-badge nbc-badge-accepted' }, '✓ accepted answer') : null,
        p.hidden ? h('span', { class: 'nbc-badge nbc-badge-hidden' }, `hidden by ${p.hidden_by ?? 'staff'}: ${p.hide_reason ?? ''}`) : null
      ),
      postBody(p.html),
      h(
        'div',
        { class: 'nbc-actions' },
        button(`▲ ${p.votes}`, `nbc-vote${p.my_vote === 1 ? ' nbc-voted' : ''}`, () => act.vote(p)),
        mayAccept && p.depth === 1 ? button(accepted ? 'Unaccept' : 'Accept answer', 'nbc-accept', () => act.accept(p, !accepted)) : null,
        p.author !== me.username ? reasonForm('Flag', 'nbc-flag', r => act.flag(p, r)) : null,
        me.moderates && !p.hidden ? reasonForm('Hide', 'nbc-hide', r => act.hide(p, r)) : null
      ),
      ...comments.map(post),
      p.depth === 1 && !t.closed ? commentBox(act, p) : null
    );
  };
  const badges = [t.kind, t.private ? 'private: you and the staff' : null, t.pinned ? 'pinned' : null].filter(Boolean) as string[];
  return [
    h('button', { class: 'nbc-button nbc-back', onclick: () => act.back() }, '← All threads'),
    h('h3', { class: 'nbc-thread-heading' }, t.title),
    h(
      'div',
      { class: 'nbc-meta' },
      `${placeLabel(course, t.module, t.item)} · `,
      ...badges.map(b => h('span', { class: 'nbc-badge' }, b)),
      button(t.following ? 'Following' : 'Follow', 'nbc-follow', () => act.follow(!t.following))
    ),
    t.cell ? cellSnapshot(t.cell) : null,
    opening ? post(opening) : null,
    h('h4', { class: 'nbc-replies-heading' }, `${replies.length} repl${replies.length === 1 ? 'y' : 'ies'}`),
    ...replies.map(post),
    t.closed ? h('div', { class: 'nbc-closed' }, `Closed${t.close_reason ? `: ${t.close_reason}` : ''}`) : act.composer(null),
    me.moderates ? moderation(t, act) : null
  ].filter((x): x is HTMLElement => !!x);
}

function commentBox(act: ThreadActions, parent: Post): HTMLElement {
  const details = h('details', { class: 'nbc-comment' }, h('summary', {}, 'Comment'));
  details.addEventListener('toggle', () => {
    if ((details as HTMLDetailsElement).open && details.childElementCount === 1) {
      details.append(act.composer(parent));
    }
  });
  return details;
}

/** A small form asking for the reason (audited) before a flag or a hide. */
function reasonForm(label: string, cls: string, fn: (reason: string) => Promise<void>): HTMLElement {
  const reason = h('input', { type: 'text', class: 'nbc-reason', placeholder: 'Reason', 'aria-label': `${label} reason` }) as HTMLInputElement;
  return h('details', { class: `nbc-inline ${cls}` }, h('summary', {}, label), reason, button(label, `${cls}-confirm`, () => fn(reason.value)));
}

function moderation(t: Thread, act: ThreadActions): HTMLElement {
  const reason = h('input', { type: 'text', class: 'nbc-reason', placeholder: 'Reason (audited)', 'aria-label': 'Reason' }) as HTMLInputElement;
  return h(
    'details',
    { class: 'nbc-moderation' },
    h('summary', {}, 'Moderate'),
    button(t.pinned ? 'Unpin' : 'Pin', 'nbc-pin', () => act.moderate({ pinned: !t.pinned, reason: reason.value || 'pinned from JupyterLab' })),
    reason,
    button(t.closed ? 'Reopen' : 'Close', 'nbc-close-thread', () => act.moderate({ closed: !t.closed, reason: reason.value }))
  );
}

/** The cell the question is about, read-only: source and the outputs the learner saw. */
export interface ShownCell {
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
  notebook?: string;
}

export function cellSnapshot(cell: ShownCell): HTMLElement {
  const outputs = (cell.outputs || []).map((o: any) => {
    if (o.output_type === 'stream') {
      return h('pre', { class: `nbc-output nbc-${o.name}` }, String(o.text));
    }
    if (o.output_type === 'error') {
      const trace = (o.traceback || []).join('\n').replace(/\u001b\[[0-9;]*m/g, '');
      return h('pre', { class: 'nbc-output nbc-error-output' }, trace || `${o.ename}: ${o.evalue}`);
    }
    if (o.data?.['image/png']) {
      return h('img', { class: 'nbc-output', alt: 'output', src: `data:image/png;base64,${String(o.data['image/png']).replace(/\s/g, '')}` });
    }
    return h('pre', { class: 'nbc-output' }, String(o.data?.['text/plain'] ?? ''));
  });
  return h(
    'div',
    { class: 'nbc-cell-snapshot', title: 'the cell as it was when the question was asked' },
    h('div', { class: 'nbc-meta' }, `About a cell of ${cell.notebook || 'a notebook'}${cell.execution_count ? ` · [${cell.execution_count}]` : ''}`),
    h('pre', { class: 'nbc-cell-source' }, h('code', {}, String(Array.isArray(cell.source) ? cell.source.join('') : cell.source))),
    ...outputs
  );
}
