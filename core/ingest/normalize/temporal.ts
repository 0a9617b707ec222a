// Recognizes ISO 8601 dates and timestamps in strings without regexes on the hot path, and rejects
// strings that look right but name impossible dates (2023-02-29, 25:00).

export enum Temporal {
  None = 0,
  Date = 1,
  /** A timestamp already in a form DuckDB reads exactly (T separator, seconds, offset): used as is. */
  Timestamp = 2,
  /** A valid timestamp that needs rewriting (space separator, no seconds, no offset, lowercase z). */
  TimestampToFix = 3,
}

const MIN_LENGTH = 10;
const MAX_LENGTH = 35;

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function twoDigits(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function validDate(s: string): boolean {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false; // '-'
  const y1 = twoDigits(s, 0);
  const y2 = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  if (y1 < 0 || y2 < 0 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(y1 * 100 + y2, month);
}

/** Classifies a string; cheap for the common case of strings that are not dates at all. */
export function classifyTemporal(s: string): Temporal {
  const len = s.length;
  if (len < MIN_LENGTH || len > MAX_LENGTH) return Temporal.None;
  const first = s.charCodeAt(0);
  if (first < 48 || first > 57) return Temporal.None;
  if (!validDate(s)) return Temporal.None;
  if (len === MIN_LENGTH) return Temporal.Date;

  let fix = false;
  const sep = s.charCodeAt(10);
  if (sep === 32) fix = true; // ' '
  else if (sep !== 84) return Temporal.None; // 'T'
  const hour = twoDigits(s, 11);
  if (hour < 0 || hour > 23 || s.charCodeAt(13) !== 58) return Temporal.None;
  const minute = twoDigits(s, 14);
  if (minute < 0 || minute > 59) return Temporal.None;
  let i = 16;
  if (s.charCodeAt(i) === 58) {
    const second = twoDigits(s, i + 1);
    if (second < 0 || second > 59) return Temporal.None;
    i += 3;
    if (s.charCodeAt(i) === 46) { // '.'
      let n = 0;
      i++;
      while (i < len && digit(s, i) >= 0) { i++; n++; }
      if (n < 1 || n > 9) return Temporal.None;
    }
  } else {
    fix = true; // no seconds
  }
  if (i === len) return Temporal.TimestampToFix; // no offset: read as UTC
  const c = s.charCodeAt(i);
  if (c === 90 || c === 122) { // 'Z' | 'z'
    if (i + 1 !== len) return Temporal.None;
    return fix || c === 122 ? Temporal.TimestampToFix : Temporal.Timestamp;
  }
  if (c !== 43 && c !== 45) return Temporal.None; // '+' | '-'
  const oh = twoDigits(s, i + 1);
  if (oh < 0 || oh > 23) return Temporal.None;
  let j = i + 3;
  if (j < len) {
    if (s.charCodeAt(j) === 58) j++;
    const om = twoDigits(s, j);
    if (om < 0 || om > 59) return Temporal.None;
    j += 2;
  }
  if (j !== len) return Temporal.None;
  return fix ? Temporal.TimestampToFix : Temporal.Timestamp;
}

/** Rewrites a TimestampToFix string as `YYYY-MM-DDTHH:MM:SS[.f]` + `Z` or its own offset. */
export function canonicalTimestamp(s: string): string {
  let out = s.slice(0, 10) + 'T' + s.slice(11, 16);
  let i = 16;
  if (s.charCodeAt(i) === 58) {
    i += 3;
    if (s.charCodeAt(i) === 46) {
      i++;
      while (i < s.length && digit(s, i) >= 0) i++;
    }
    out += s.slice(16, i);
  } else {
    out += ':00';
  }
  const rest = s.slice(i);
  if (rest === '' || rest === 'z' || rest === 'Z') return out + 'Z';
  return out + rest;
}

/** A date string as a timestamp at midnight UTC. */
export function dateAtMidnight(date: string): string {
  return date + 'T00:00:00Z';
}

/** The date of a timestamp when it is exactly midnight UTC, else undefined (turning it into a date would lose time). */
export function midnightUtcDate(ms: number): string | undefined {
  if (!Number.isFinite(ms) || ms % 86_400_000 !== 0) return undefined;
  const iso = new Date(ms).toISOString();
  // Years outside 0000-9999 come back as ±YYYYYY: not a plain date.
  return iso.length === 24 ? iso.slice(0, 10) : undefined;
}

/** Epoch milliseconds of a string classified as a timestamp (no offset means UTC); NaN for anything else. */
export function timestampMillis(s: string): number {
  const kind = classifyTemporal(s);
  if (kind !== Temporal.Timestamp && kind !== Temporal.TimestampToFix) return NaN;
  const c = canonicalTimestamp(s);
  const year = Number(c.slice(0, 4));
  const month = Number(c.slice(5, 7));
  const day = Number(c.slice(8, 10));
  const hour = Number(c.slice(11, 13));
  const minute = Number(c.slice(14, 16));
  const second = Number(c.slice(17, 19));
  let i = 19;
  let fraction = 0;
  if (c.charCodeAt(i) === 46) {
    const start = ++i;
    while (i < c.length && digit(c, i) >= 0) i++;
    fraction = Number('0.' + c.slice(start, i));
  }
  let offsetMinutes = 0;
  const sign = c.charCodeAt(i);
  if (sign === 43 || sign === 45) {
    const digits = c.slice(i + 1).replace(':', '');
    offsetMinutes = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2, 4)) : 0);
    if (sign === 45) offsetMinutes = -offsetMinutes;
  }
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute - offsetMinutes, second, 0);
  return d.getTime() + fraction * 1000;
}
