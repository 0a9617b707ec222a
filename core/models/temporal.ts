// SQLMesh's predefined time variables (@start_ds, @end_ts, @execution_epoch, ...), rendered as SQLMesh
// renders them for DuckDB. Times are UTC and kept in whole microseconds, like Python datetimes.

import { SluiceError } from '../errors';

/** A date 'YYYY-MM-DD', a timestamp 'YYYY-MM-DD HH:MM:SS[.ffffff][Z|±HH:MM]', epoch milliseconds, or a Date. */
export type TimeInput = string | number | Date;

interface Instant {
  /** Microseconds since 1970-01-01 00:00:00 UTC. */
  micros: number;
  /** Written as a bare date: as an end, it covers that whole day. */
  dateOnly: boolean;
}

const MICROS_PER_DAY = 86_400_000_000;

export function parseTime(input: TimeInput, what: string): Instant {
  if (input instanceof Date) {
    if (Number.isNaN(input.getTime())) throw new SluiceError(`${what} is not a valid date`);
    return { micros: input.getTime() * 1000, dateOnly: false };
  }
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new SluiceError(`${what} must be a finite number of epoch milliseconds, got ${input}`);
    return { micros: Math.trunc(input * 1000), dateOnly: false };
  }
  const text = input.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return { micros: Math.trunc(Number(text) * 1000), dateOnly: false };
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i.exec(text);
  if (!m) {
    throw new SluiceError(`${what} '${input}' is not a date or time: use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS`);
  }
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  const millis = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(millis);
  if (
    check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day ||
    hour > 23 || minute > 59 || second > 59
  ) {
    throw new SluiceError(`${what} '${input}' is not a valid date or time`);
  }
  let micros = millis * 1000 + (frac ? Number(frac.padEnd(6, '0').slice(0, 6)) : 0);
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
    micros -= sign * offsetMinutes * 60_000_000;
  }
  return { micros, dateOnly: h === undefined };
}

/** SQLMesh treats the end as inclusive: a bare date covers its whole day, a timestamp is exclusive minus 1µs. */
export function inclusiveEnd(end: Instant): number {
  return end.dateOnly ? end.micros + MICROS_PER_DAY - 1 : end.micros - 1;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function splitMicros(micros: number): { date: Date; fraction: number } {
  const millis = Math.floor(micros / 1000);
  const fraction = micros - Math.floor(micros / 1_000_000) * 1_000_000;
  return { date: new Date(millis), fraction };
}

export function formatDate(micros: number): string {
  const { date } = splitMicros(micros);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** 'YYYY-MM-DD HH:MM:SS', with '.ffffff' only when there are microseconds (as Python's isoformat). */
export function formatTimestamp(micros: number): string {
  const { date, fraction } = splitMicros(micros);
  const base = `${formatDate(micros)} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return fraction === 0 ? base : `${base}.${pad(fraction, 6)}`;
}

/** A float the way Python prints it: always with a decimal point. */
function pythonFloat(value: number): string {
  const text = String(value);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** One variable: the SQL it renders to, and the text it contributes inside identifier/string templates. */
export interface VariableValue {
  sql: string;
  text: string;
}

/** Variables for the prefixes start, end, execution (and the legacy alias latest = execution). */
export function temporalVariables(start: number, end: number, execution: number): Map<string, VariableValue> {
  const out = new Map<string, VariableValue>();
  const add = (prefix: string, micros: number): void => {
    const ts = formatTimestamp(micros);
    const date = formatDate(micros);
    const millis = Math.trunc(micros / 1000);
    const set = (suffix: string, sql: string, text = sql): void => {
      out.set(`${prefix}_${suffix}`, { sql, text });
    };
    set('dt', `CAST(${literal(`${ts}+00:00`)} AS TIMESTAMPTZ)`);
    set('dtntz', `CAST(${literal(ts)} AS TIMESTAMP)`);
    set('date', `CAST(${literal(date)} AS DATE)`);
    set('ds', literal(date), date);
    set('ts', literal(ts), ts);
    set('tstz', literal(`${ts}+00:00`), `${ts}+00:00`);
    set('hour', String(splitMicros(micros).date.getUTCHours()));
    set('epoch', pythonFloat(millis / 1000));
    set('millis', String(millis));
  };
  add('start', start);
  add('end', end);
  add('execution', execution);
  add('latest', execution);
  return out;
}
