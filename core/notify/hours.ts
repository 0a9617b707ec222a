// Working hours such as `Mon-Fri 09:00-18:00 Europe/London`: parsed once, then asked whether a moment falls
// inside them. The weekday and time in the zone come from Intl, which knows every zone and its clock changes.

import type { WorkingHours } from './types';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
export const WORKING_HOURS_EXAMPLE = 'Mon-Fri 09:00-18:00 Europe/London';

/** The hours, or a sentence saying what is wrong with the text. */
export function parseWorkingHours(text: string): WorkingHours | string {
  const parts = text.trim().split(/\s+/);
  if (parts.length < 2 || parts.length > 3) return `must be days, hours and a time zone such as ${WORKING_HOURS_EXAMPLE}`;
  const [daysText, hoursText, timeZone = 'UTC'] = parts;
  const days = parseDays(daysText);
  if (typeof days === 'string') return days;
  const hours = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(hoursText);
  const minute = (h: string, m: string) => Number(h) * 60 + Number(m);
  if (!hours || Number(hours[2]) > 59 || Number(hours[4]) > 59 || minute(hours[1], hours[2]) > 1440 || minute(hours[3], hours[4]) > 1440) {
    return `hours must be written HH:MM-HH:MM such as 09:00-18:00; found ${JSON.stringify(hoursText)}`;
  }
  const startMinute = minute(hours[1], hours[2]);
  const endMinute = minute(hours[3], hours[4]);
  if (endMinute <= startMinute) return `hours must end after they start; found ${JSON.stringify(hoursText)}`;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    return `${JSON.stringify(timeZone)} is not a time zone; use an IANA name such as Europe/London or UTC`;
  }
  return { text: text.trim(), days, startMinute, endMinute, timeZone };
}

/** `Mon-Fri`, `Sun-Thu`, `Mon,Wed,Fri`, `Sat`: day numbers (0 = Sunday). */
function parseDays(text: string): number[] | string {
  const out = new Set<number>();
  for (const piece of text.toLowerCase().split(',')) {
    const [from, to] = piece.split('-');
    const a = DAYS.indexOf(from?.slice(0, 3) ?? '');
    const b = to === undefined ? a : DAYS.indexOf(to.slice(0, 3));
    if (a < 0 || b < 0 || from.length < 3 || (to !== undefined && to.length < 3)) {
      return `days must be written like Mon-Fri or Mon,Wed,Fri; found ${JSON.stringify(text)}`;
    }
    // A range may wrap round the week: Sun-Thu, Fri-Mon.
    for (let d = a; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === b) break;
    }
  }
  return [...out].sort();
}

/** Whether the moment falls inside the working hours, judged by the wall clock of their time zone. */
export function withinWorkingHours(hours: WorkingHours, atMs: number): boolean {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: hours.timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(atMs));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = DAYS.indexOf(part('weekday').toLowerCase().slice(0, 3));
  const minute = Number(part('hour')) * 60 + Number(part('minute'));
  return hours.days.includes(day) && minute >= hours.startMinute && minute < hours.endMinute;
}
