// Time intervals of incremental models. A model's interval unit comes from its cron (or interval_unit):
// @daily models are processed day by day, @hourly hour by hour. Intervals are [start, end) in epoch
// milliseconds, aligned to the unit in UTC. Which intervals are due depends on the cron: with cron
// '0 6 * * *' yesterday becomes due at 06:00 today.

import { Cron } from 'croner';
import { SluiceError } from '../errors';
import { parseTime } from '../models/temporal';
import type { Interval, SnapshotRecord } from './types';

export type IntervalUnit = 'year' | 'month' | 'day' | 'hour' | 'half_hour' | 'quarter_hour' | 'five_minute';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const FIXED: Partial<Record<IntervalUnit, number>> = { day: DAY, hour: HOUR, half_hour: 30 * MINUTE, quarter_hour: 15 * MINUTE, five_minute: 5 * MINUTE };
const ALIAS_UNITS: Record<string, IntervalUnit> = {
  '@hourly': 'hour', '@daily': 'day', '@midnight': 'day', '@weekly': 'day', '@monthly': 'month', '@yearly': 'year', '@annually': 'year',
};
const UNITS = new Set<string>(['year', 'month', 'day', 'hour', 'half_hour', 'quarter_hour', 'five_minute']);

/** The unit a model's intervals are counted in: interval_unit, else derived from the cron (default daily). */
export function intervalUnit(record: Pick<SnapshotRecord, 'cron' | 'intervalUnit' | 'name'>): IntervalUnit {
  if (record.intervalUnit) {
    if (!UNITS.has(record.intervalUnit)) throw new SluiceError(`model ${record.name}: interval_unit '${record.intervalUnit}' is not one of ${[...UNITS].join(', ')}`);
    return record.intervalUnit as IntervalUnit;
  }
  const cron = (record.cron ?? '@daily').trim().toLowerCase();
  if (ALIAS_UNITS[cron]) return ALIAS_UNITS[cron];
  const job = cronJob(record.cron!, record.name);
  const runs = job.nextRuns(3, new Date(Date.UTC(2024, 0, 1)));
  const gap = Math.min(runs[1].getTime() - runs[0].getTime(), runs[2].getTime() - runs[1].getTime());
  if (gap >= 365 * DAY) return 'year';
  if (gap >= 28 * DAY) return 'month';
  if (gap >= DAY) return 'day';
  if (gap >= HOUR) return 'hour';
  if (gap >= 30 * MINUTE) return 'half_hour';
  if (gap >= 15 * MINUTE) return 'quarter_hour';
  return 'five_minute';
}

function cronJob(expression: string, model: string): Cron {
  try {
    return new Cron(expression, { timezone: 'UTC', paused: true });
  } catch (err) {
    throw new SluiceError(`model ${model}: cron '${expression}' is not valid: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The start of the unit holding ms. */
export function floorToUnit(ms: number, unit: IntervalUnit): number {
  const fixed = FIXED[unit];
  if (fixed) return Math.floor(ms / fixed) * fixed;
  const d = new Date(ms);
  return unit === 'month' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) : Date.UTC(d.getUTCFullYear(), 0, 1);
}

/** The start of the unit after the one starting at ms. */
export function nextUnit(ms: number, unit: IntervalUnit): number {
  const fixed = FIXED[unit];
  if (fixed) return ms + fixed;
  const d = new Date(ms);
  return unit === 'month' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) : Date.UTC(d.getUTCFullYear() + 1, 0, 1);
}

/** The most recent cron tick at or before now (the cron of @-aliases ticks at each unit start). */
export function lastCronTick(record: Pick<SnapshotRecord, 'cron' | 'name'>, nowMs: number): number {
  const cron = (record.cron ?? '@daily').trim().toLowerCase();
  if (ALIAS_UNITS[cron]) {
    const unit = cron === '@weekly' ? 'day' : ALIAS_UNITS[cron];
    if (cron !== '@weekly') return floorToUnit(nowMs, unit);
    // Weekly runs tick on Sundays at midnight, as cron's @weekly does.
    const day = floorToUnit(nowMs, 'day');
    return day - new Date(day).getUTCDay() * DAY;
  }
  const [previous] = cronJob(record.cron!, record.name).previousRuns(1, new Date(nowMs + 1));
  return previous ? previous.getTime() : nowMs;
}

const RELATIVE = /^(\d+)\s+(minute|hour|day|week|month|year)s?\s+ago$/i;

/** A model's start or end property as epoch ms: a date, a timestamp, epoch millis or "N days ago". */
export function parseModelTime(text: string, what: string, nowMs: number): { ms: number; dateOnly: boolean } {
  const trimmed = text.trim().replace(/^'(.*)'$/, '$1');
  const relative = RELATIVE.exec(trimmed);
  if (relative) {
    const n = Number(relative[1]);
    const unit = relative[2].toLowerCase();
    const d = new Date(nowMs);
    if (unit === 'month') return { ms: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - n, d.getUTCDate()), dateOnly: true };
    if (unit === 'year') return { ms: Date.UTC(d.getUTCFullYear() - n, d.getUTCMonth(), d.getUTCDate()), dateOnly: true };
    const step = { minute: MINUTE, hour: HOUR, day: DAY, week: 7 * DAY }[unit as 'minute' | 'hour' | 'day' | 'week'];
    return { ms: nowMs - n * step, dateOnly: false };
  }
  const instant = parseTime(trimmed, what);
  return { ms: Math.floor(instant.micros / 1000), dateOnly: instant.dateOnly };
}

/**
 * The range [start, end) of intervals a model should have processed by now: from its start (default: the
 * last complete interval only) up to the latest cron tick, and not past its end (a bare end date includes
 * that day). Empty when end <= start.
 */
export function dueRange(record: SnapshotRecord, nowMs: number): Interval {
  const unit = intervalUnit(record);
  let end = floorToUnit(Math.min(nowMs, lastCronTick(record, nowMs)), unit);
  if (record.end) {
    const e = parseModelTime(record.end, `end of model ${record.name}`, nowMs);
    const limit = e.dateOnly ? e.ms + DAY : e.ms;
    // An end inside a unit still includes that unit.
    const aligned = floorToUnit(limit, unit) === limit ? limit : nextUnit(floorToUnit(limit, unit), unit);
    end = Math.min(end, aligned);
  }
  let start: number;
  if (record.start) start = floorToUnit(parseModelTime(record.start, `start of model ${record.name}`, nowMs).ms, unit);
  else start = floorToUnit(end - 1, unit);
  return { startMs: start, endMs: Math.max(start, end) };
}

/** Sorted, non-overlapping, adjacent ranges joined. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.endMs > i.startMs).sort((a, b) => a.startMs - b.startMs);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.startMs <= last.endMs) last.endMs = Math.max(last.endMs, i.endMs);
    else out.push({ ...i });
  }
  return out;
}

/** The parts of `range` not covered by `covered`. */
export function subtractIntervals(range: Interval, covered: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let cursor = range.startMs;
  for (const c of mergeIntervals(covered)) {
    if (c.endMs <= cursor) continue;
    if (c.startMs >= range.endMs) break;
    if (c.startMs > cursor) out.push({ startMs: cursor, endMs: Math.min(c.startMs, range.endMs) });
    cursor = Math.max(cursor, c.endMs);
    if (cursor >= range.endMs) break;
  }
  if (cursor < range.endMs) out.push({ startMs: cursor, endMs: range.endMs });
  return out;
}

/** `covered` with `range` taken out (for restatement). */
export function removeRange(covered: readonly Interval[], range: Interval): Interval[] {
  const out: Interval[] = [];
  for (const c of mergeIntervals(covered)) out.push(...subtractIntervals(c, [range]));
  return out;
}

/** Splits ranges into batches of at most `batchSize` units (no limit: one batch per contiguous range). */
export function batches(ranges: readonly Interval[], unit: IntervalUnit, batchSize?: number): Interval[] {
  if (!batchSize) return ranges.map((r) => ({ ...r }));
  const out: Interval[] = [];
  for (const r of ranges) {
    let start = r.startMs;
    while (start < r.endMs) {
      let end = start;
      for (let i = 0; i < batchSize && end < r.endMs; i++) end = nextUnit(end, unit);
      out.push({ startMs: start, endMs: Math.min(end, r.endMs) });
      start = end;
    }
  }
  return out;
}

/** Widens a range to whole units. */
export function alignRange(range: Interval, unit: IntervalUnit): Interval {
  const start = floorToUnit(range.startMs, unit);
  const lastUnit = floorToUnit(Math.max(range.startMs, range.endMs - 1), unit);
  return { startMs: start, endMs: nextUnit(lastUnit, unit) };
}

/**
 * A range as people read it: inclusive dates when it is made of whole days (2024-01-01 .. 2024-01-31),
 * otherwise its start and exclusive end as timestamps.
 */
export function formatRange(range: Interval): [string, string] {
  if (range.startMs % DAY === 0 && range.endMs % DAY === 0) {
    return [isoDate(range.startMs), isoDate(range.endMs - DAY)];
  }
  return [isoTimestamp(range.startMs), isoTimestamp(range.endMs)];
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
