/** Due dates in the learner's time zone, countdowns and the late-policy stage. */

export interface LatePolicy {
  grace_minutes?: number;
  credit?: { after_days: number; percent: number }[];
  hard_close_days?: number;
}

export interface LateStage {
  stage: 'on-time' | 'grace' | 'late' | 'closed';
  credit: number;
  closesAt: Date | null;
}

const DAY = 86400000;

/** Where `now` falls in the policy against `due` (the service applies the same rule on receipt). */
export function lateStage(policy: LatePolicy | null | undefined, due: Date, now: Date): LateStage {
  const p = policy || {};
  const closesAt = p.hard_close_days != null ? new Date(due.getTime() + p.hard_close_days * DAY) : null;
  if (closesAt && now > closesAt) {
    return { stage: 'closed', credit: 0, closesAt };
  }
  if (now <= due) {
    return { stage: 'on-time', credit: 100, closesAt };
  }
  if (now.getTime() <= due.getTime() + (p.grace_minutes || 0) * 60000) {
    return { stage: 'grace', credit: 100, closesAt };
  }
  let credit = 100;
  for (const step of p.credit || []) {
    if (now.getTime() > due.getTime() + step.after_days * DAY) {
      credit = step.percent;
    }
  }
  return { stage: 'late', credit, closesAt };
}

/** "in 3 d 4 h", "in 12 min", "2 h ago". */
export function countdown(target: Date, now: Date): string {
  let ms = target.getTime() - now.getTime();
  const past = ms < 0;
  ms = Math.abs(ms);
  const d = Math.floor(ms / DAY);
  const h = Math.floor((ms % DAY) / 3600000);
  const m = Math.floor((ms % 3600000) / 60000);
  const text = d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min`;
  return past ? `${text} ago` : `in ${text}`;
}

/** A date in the browser's time zone, with the zone's name. */
export function localDate(date: Date): string {
  // dateStyle/timeStyle cannot be combined with timeZoneName: name the fields
  return date.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short'
  });
}

/** The value of an <input type="datetime-local"> as an ISO time with the browser's offset. */
export function localInputToISO(value: string): string {
  const date = new Date(value);
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${value.length === 16 ? value + ':00' : value}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}
