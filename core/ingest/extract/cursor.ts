// Reading and comparing incremental cursor values, and storing them as JSON-friendly state.

import { describeType } from './describe';

/** The value at a dotted field path ('meta.updated_at') of a raw item; undefined when any step is missing. */
export function readPath(item: unknown, path: readonly string[]): unknown {
  let at: unknown = item;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** Thrown when two cursor values have no common order (say, a number and a word). */
export class IncomparableCursors extends Error {
  constructor(readonly a: unknown, readonly b: unknown) {
    super(`cannot compare ${describeType(a)} with ${describeType(b)}`);
  }
}

/**
 * Orders two cursor values: negative when a comes first, 0 when equal, positive otherwise.
 * Numbers and bigints compare numerically; Dates and date strings as instants (sub-millisecond
 * digits included); other strings by code unit.
 */
export function compareCursors(a: unknown, b: unknown): number {
  if (isNumeric(a) && isNumeric(b)) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') {
    if (a === b) return 0;
    // UTC timestamps of one shape order like their text: skip parsing, the common case for API cursors.
    if (a.length === b.length && UTC_STAMP.test(a) && UTC_STAMP.test(b)) return a < b ? -1 : 1;
  }
  const ia = toInstant(a);
  const ib = toInstant(b);
  if (ia && ib) return ia.ms - ib.ms || ia.sub - ib.sub;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw new IncomparableCursors(a, b);
}

function isNumeric(v: unknown): v is number | bigint {
  return (typeof v === 'number' && !Number.isNaN(v)) || typeof v === 'bigint';
}

/** An instant: milliseconds since the epoch plus the fraction of a millisecond that Date cannot hold. */
interface Instant {
  ms: number;
  sub: number;
}

const UTC_STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

// ISO 8601 date or date-time; a time without offset is taken as UTC so comparisons never depend on the machine.
const ISO_DATE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function toInstant(v: unknown): Instant | undefined {
  if (v instanceof Date) {
    const ms = v.getTime();
    return Number.isNaN(ms) ? undefined : { ms, sub: 0 };
  }
  if (typeof v !== 'string') return undefined;
  const m = ISO_DATE.exec(v.trim());
  if (!m) return undefined;
  const [, date, time, fraction = '', zone] = m;
  let offset = zone ? zone.toUpperCase() : 'Z';
  if (offset !== 'Z' && offset.length === 3) offset += ':00';
  else if (offset !== 'Z' && !offset.includes(':')) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  const wholeMs = fraction.padEnd(3, '0').slice(0, 3);
  const clock = time === undefined ? '00:00:00' : time.length === 5 ? `${time}:00` : time;
  const base = Date.parse(`${date}T${clock}.${wholeMs}${offset}`);
  if (Number.isNaN(base)) return undefined;
  const rest = fraction.length > 3 ? Number(`0.${fraction.slice(3)}`) : 0;
  return { ms: base, sub: rest };
}

/** Cursor values as stored in state: Dates become ISO strings, bigints {"$bigint": "123"}; the rest as JSON allows. */
export function toStateValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (Array.isArray(value)) return value.map(toStateValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toStateValue(v);
    return out;
  }
  return value;
}

/** Reverses toStateValue (bigints come back as bigints; Dates stay ISO strings, which compare as instants). */
export function fromStateValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromStateValue);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0][0] === '$bigint' && typeof entries[0][1] === 'string') {
      return BigInt(entries[0][1]);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) out[k] = fromStateValue(v);
    return out;
  }
  return value;
}
