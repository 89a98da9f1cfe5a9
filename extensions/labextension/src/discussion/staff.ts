/** What moderators add from the Discussion tab: an announcement (to the course or one cohort)
 * and a live session; and for everyone, the address of their own calendar feed. */
import { CampusAPI, CampusError } from '../api';
import { button, h } from '../shared/dom';
import { localInputToISO } from '../time';

type Say = (text: string, kind?: 'info' | 'error') => void;

async function attempt(say: Say, what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    say(`${what}: ${e instanceof CampusError ? e.message : String(e)}`, 'error');
  }
}

export function staffTools(api: CampusAPI, course: string, say: Say, done: () => void): HTMLElement {
  const input = (cls: string, placeholder: string, type = 'text') => h('input', { type, class: cls, placeholder, 'aria-label': placeholder }) as HTMLInputElement;
  const aTitle = input('nbc-announce-title', 'Announcement title');
  const aBody = h('textarea', { class: 'nbc-announce-body', rows: '3', 'aria-label': 'Announcement (markdown)', placeholder: 'Announcement (markdown)' }) as HTMLTextAreaElement;
  const aCohort = input('nbc-announce-cohort', 'Cohort (empty: the whole course)');
  const announce = button('Announce', 'nbc-announce', () =>
    attempt(say, 'Announcement refused', async () => {
      await api.post('/api/courses/{course}/announcements', { course }, { title: aTitle.value, body: aBody.value, ...(aCohort.value ? { cohort: aCohort.value } : {}) });
      say('Announced.');
      done();
    })
  );
  const sTitle = input('nbc-session-title', 'Session title');
  const sStart = input('nbc-session-start', 'Starts at', 'datetime-local');
  const sMinutes = input('nbc-session-minutes', 'Minutes', 'number');
  const sUrl = input('nbc-session-url', 'Meeting link (https://...)', 'url');
  const sCohort = input('nbc-session-cohort', 'Cohort (empty: the whole course)');
  const schedule = button('Schedule', 'nbc-schedule', () =>
    attempt(say, 'Session refused', async () => {
      if (!sStart.value) {
        throw new CampusError('choose when the session starts', 400);
      }
      await api.post(
        '/api/courses/{course}/sessions',
        { course },
        { title: sTitle.value, starts_at: localInputToISO(sStart.value), minutes: Number(sMinutes.value || 60), meeting_url: sUrl.value, ...(sCohort.value ? { cohort: sCohort.value } : {}) }
      );
      say('Session scheduled.');
      done();
    })
  );
  return h(
    'details',
    { class: 'nbc-staff-tools' },
    h('summary', {}, 'Announce or schedule a live session'),
    h('div', { class: 'nbc-form' }, aTitle, aBody, aCohort, announce),
    h('div', { class: 'nbc-form' }, sTitle, sStart, sMinutes, sUrl, sCohort, schedule)
  );
}

/** "My calendar feed": a new private address of my sessions and deadlines (the old one stops). */
export function calendarButton(api: CampusAPI, say: Say): HTMLElement {
  const out = h('input', { type: 'text', class: 'nbc-calendar-url', readonly: true, hidden: true, 'aria-label': 'Calendar feed address' }) as HTMLInputElement;
  const b = button('Calendar feed', 'nbc-calendar', () =>
    attempt(say, 'No calendar feed', async () => {
      const r = await api.post('/api/me/calendar-key', {}, undefined);
      out.value = r.url;
      out.hidden = false;
      out.select();
      say('Your calendar address (sessions and your deadlines): add it to your calendar app and keep it private. A new one revokes it.');
    })
  );
  return h('span', { class: 'nbc-calendar-box' }, b, out);
}
