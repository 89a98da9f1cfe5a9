/** A course card's verified track: where my upgrade stands (paid, awaiting identity
 * verification; refused with the staff's reason), or a form to redeem an upgrade code. Loaded
 * after the card is drawn; the course home page links beside it. */
import { PageConfig } from '@jupyterlab/coreutils';
import type { PanelContext } from './context';
import { button, h } from './dom';

/** The course home page of the service (a page: not forwarded). */
export function courseHomeUrl(course: string): string {
  const hub = PageConfig.getOption('hubPrefix') || '/hub/';
  const root = hub.replace(/hub\/?$/, '');
  return `${root}services/nbcampus/courses/${encodeURIComponent(course)}/`;
}

export function upgradeBox(ctx: PanelContext, course: string, track: string, offered: boolean): HTMLElement | null {
  if (track !== 'audit' || !offered) {
    return null;
  }
  const box = h('div', { class: 'nbc-upgrade' });
  const draw = (state: { state: string; reason: string | null } | null): void => {
    box.dataset.state = state?.state ?? 'none';
    if (state?.state === 'awaiting verification') {
      box.replaceChildren(h('span', { class: 'nbc-meta' }, 'Upgrade paid: awaiting identity verification by the staff.'));
      return;
    }
    const code = h('input', { type: 'text', class: 'nbc-upgrade-code', placeholder: 'Upgrade code', 'aria-label': 'Upgrade code', autocomplete: 'off' }) as HTMLInputElement;
    const redeem = button('Upgrade', 'nbc-upgrade-redeem', () =>
      ctx.attempt('Upgrade refused', async () => {
        const r = await ctx.api.post('/api/courses/{course}/upgrade', { course }, { code: code.value });
        draw(r.upgrade);
        ctx.say('Code accepted: your upgrade awaits identity verification.');
      })
    );
    box.replaceChildren(
      h(
        'details',
        { class: 'nbc-inline' },
        h('summary', {}, 'Upgrade to the verified track'),
        state?.state === 'refused' ? h('p', { class: 'nbc-message-error' }, `Identity not verified: ${state.reason ?? ''}`) : null,
        code,
        redeem
      )
    );
  };
  void ctx.api
    .get('/api/courses/{course}/upgrade', { course })
    .then(r => draw(r.upgrade))
    .catch(() => box.replaceChildren()); // no upgrade line rather than no card
  return box;
}

/** Staff: upgrades awaiting identity verification, each with Approve and Refuse (a reason is
 * needed either way: how the identity was checked, or why not). Empty: nothing is shown. */
export function upgradeQueue(ctx: PanelContext, course: string): HTMLElement {
  const box = h('div', { class: 'nbc-upgrade-queue' });
  void ctx.api
    .get('/api/courses/{course}/upgrades', { course })
    .then(r => {
      if (!r.upgrades.length) {
        return;
      }
      box.append(
        h('h5', {}, `Identity to verify (${r.upgrades.length})`),
        ...r.upgrades.map(u => {
          const reason = h('input', { type: 'text', class: 'nbc-upgrade-reason', placeholder: 'How it was checked, or why not', 'aria-label': `Reason for ${u.username}` }) as HTMLInputElement;
          const row = h('div', { class: 'nbc-item nbc-upgrade-request', 'data-username': u.username }, h('span', { class: 'nbc-title' }, u.username), reason);
          const decide = (approve: boolean) => () =>
            ctx.attempt(approve ? 'Approval refused' : 'Refusal refused', async () => {
              const d = await ctx.api.post('/api/courses/{course}/upgrades/{username}', { course, username: u.username }, { approve, reason: reason.value });
              row.replaceChildren(h('span', { class: 'nbc-meta' }, `${u.username}: ${d.state}`));
            });
          row.append(button('Approve', 'nbc-upgrade-approve', decide(true)), button('Refuse', 'nbc-upgrade-refuse', decide(false)));
          return row;
        })
      );
    })
    .catch(() => undefined);
  return box;
}
