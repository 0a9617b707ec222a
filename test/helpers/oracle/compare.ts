// Compares input items with items rebuilt from the warehouse, under the normalization rules:
// absent ≡ null ≡ undefined; an empty object or list is absent; a list element that is not an object is
// read as { value: element } (null and empty elements as {}, a row with no data); numbers compare as
// numbers (an integral value may sit in a double column and the reverse); ISO timestamp strings compare
// as instants, YYYY-MM-DD as dates; JSON columns are parsed and compared under the same rules.
import { isCell, pathText, type Rebuilt } from './rebuild';
import type { Cell } from './snapshot';

export interface Difference {
  /** 0-based position of the item in the expected input. */
  item: number;
  /** Field path, e.g. `labels[1].name`. */
  path: string;
  message: string;
}

type Canonical = string | number | bigint | boolean | Date | Uint8Array | Canonical[] | { [key: string]: Canonical };

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !ArrayBuffer.isView(v);

/** The input value as the rules say the warehouse must hold it; undefined when it leaves no trace. */
export function canonical(value: unknown): Canonical | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    return value.map((element) => {
      if (isPlainObject(element)) return canonical(element) ?? {};
      const inner = canonical(element);
      return inner === undefined ? {} : { value: inner };
    });
  }
  if (isPlainObject(value)) {
    const out: Record<string, Canonical> = {};
    for (const [key, v] of Object.entries(value)) {
      const c = canonical(v);
      if (c !== undefined) out[key] = c;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return value as Canonical;
}

/** Differences between one expected item (raw input) and its rebuilt form, at most `limit` of them. */
export function diffItem(item: number, expected: unknown, actual: Rebuilt | undefined, limit: number): Difference[] {
  const out: Difference[] = [];
  walk(canonical(expected), actual, [], (path, message) => {
    if (out.length < limit) out.push({ item, path: pathText(path).replace(/^\./, '') || '(item)', message });
  });
  return out;
}

type Report = (path: (string | number)[], message: string) => void;

function walk(expected: Canonical | undefined, actual: unknown, path: (string | number)[], report: Report): void {
  if (expected === undefined) {
    if (actual !== undefined) report(path, `invented: the input has nothing here, the warehouse has ${show(actual)}`);
    return;
  }
  if (actual === undefined) {
    report(path, `lost: the input has ${show(expected)}, the warehouse nothing`);
    return;
  }
  if (isCell(actual) && actual.type === 'json') {
    walk(expected, fromJson(canonical(JSON.parse(actual.value as string)), actual.column), path, report);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      report(path, `expected a list of ${expected.length}, the warehouse has ${show(actual)}`);
      return;
    }
    if (actual.length !== expected.length) report(path, `expected ${expected.length} list elements, the warehouse has ${actual.length}`);
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) walk(expected[i], actual[i], [...path, i], report);
    return;
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual) || isCell(actual)) {
      report(path, `expected an object ${show(expected)}, the warehouse has ${show(actual)}`);
      return;
    }
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of keys) walk(expected[key], Object.hasOwn(actual, key) ? actual[key] : undefined, [...path, key], report);
    return;
  }
  if (!isCell(actual)) {
    report(path, `expected ${show(expected)}, the warehouse has ${show(actual)}`);
    return;
  }
  if (!cellHolds(actual, expected)) {
    report(path, `expected ${show(expected)}, the warehouse has ${show(actual)}`);
  }
}

/** Whether a cell holds the input value under its column's type. */
export function cellHolds(cell: Cell, expected: Canonical): boolean {
  const v = cell.value;
  switch (cell.type) {
    case 'text':
      return typeof expected === 'string' && expected === v;
    case 'bool':
      return typeof expected === 'boolean' && expected === v;
    case 'bigint':
    case 'double':
    case 'decimal':
      return sameNumber(expected, v);
    case 'timestamp': {
      const micros = instantMicros(expected);
      return micros !== undefined && micros === BigInt(v as number | bigint);
    }
    case 'date': {
      if (typeof expected === 'string' && expected === v) return true;
      const micros = instantMicros(expected);
      return micros !== undefined && micros === instantMicros(v as string);
    }
    case 'binary':
      return expected instanceof Uint8Array && Buffer.from(expected).toString('hex').toUpperCase() === v;
    case 'json':
      return false; // parsed in walk
    case 'json-value':
      if (typeof v === 'string' && expected instanceof Date) return expected.toISOString() === v;
      return typeof v === 'number' ? sameNumber(expected, v) : expected === v;
  }
}

/** Parsed JSON text with its leaves as cells, so that it compares like flattened columns. */
function fromJson(value: unknown, column: string): unknown {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((v) => fromJson(v, column));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJson(v, column)]));
  return { type: 'json-value', value, column } satisfies Cell;
}

function sameNumber(expected: Canonical, actual: unknown): boolean {
  if (typeof expected !== 'number' && typeof expected !== 'bigint') return false;
  if (typeof expected === 'number' && Number.isNaN(expected)) return typeof actual === 'number' && Number.isNaN(actual);
  if (typeof actual === 'string') {
    // decimal text: exact when both sides are integral, else as doubles.
    const [whole, fraction = ''] = actual.split('.');
    if (/^0*$/.test(fraction) && (typeof expected === 'bigint' || Number.isInteger(expected))) return BigInt(whole) === BigInt(expected);
    return Number(actual) === Number(expected);
  }
  if (typeof actual === 'bigint' || typeof expected === 'bigint') {
    try {
      return BigInt(actual as number | bigint) === BigInt(expected);
    } catch {
      return false; // a fraction is never equal to a bigint
    }
  }
  return actual === expected;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(?:([Zz])|([+-])(\d{2}):?(\d{2})?)?$/;

/** An ISO timestamp or date string, or a Date, as microseconds since the epoch (no offset means UTC). */
export function instantMicros(value: unknown): bigint | undefined {
  if (value instanceof Date) return BigInt(value.getTime()) * 1000n;
  if (typeof value !== 'string') return undefined;
  const m = INSTANT.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', , sign, oh = '0', om = '0'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  // Date.UTC rolls 2023-02-29 over to March: such strings are no instant.
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return undefined;
  const offset = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const micros = BigInt(fraction.padEnd(6, '0').slice(0, 6));
  return (BigInt(ms) - BigInt(offset) * 60_000n) * 1000n + micros;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (isCell(value)) return `${JSON.stringify(value.value, bigintText)} (${value.type} in ${value.column})`;
  const text = JSON.stringify(value, (k, v) => (isCell(v) ? v.value : bigintText(k, v)));
  return text.length > 120 ? text.slice(0, 117) + '...' : text;
}

const bigintText = (_key: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);
