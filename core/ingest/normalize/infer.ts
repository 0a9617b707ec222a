// The type of a JS value and lossless conversion of values into a column's type. Cells follow the
// representation documented on Cell in core/ingest/package.ts.

import type { Cell } from '../package';
import { DECIMAL_INTEGER_DIGITS, DECIMAL_SCALE, type DataType } from '../../schema/types';
import {
  Temporal, canonicalTimestamp, classifyTemporal, dateAtMidnight, midnightUtcDate, timestampMillis,
} from './temporal';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** DECIMAL(38,9) holds 29 integer digits. */
const DECIMAL_INTEGER_LIMIT = 10n ** BigInt(DECIMAL_INTEGER_DIGITS);
const TWO_POW_63 = 2 ** 63;

export function isBinary(value: object): boolean {
  return value instanceof Uint8Array || ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

/** Binary values as a Uint8Array view over the same bytes (no copy). */
export function toBytes(value: object): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return new Uint8Array(value as ArrayBuffer);
}

/** bigint when it fits int64, decimal when DECIMAL(38,9) can hold it, else text (its digits). */
export function bigintType(value: bigint): DataType {
  if (value >= INT64_MIN && value <= INT64_MAX) return 'bigint';
  if (value > -DECIMAL_INTEGER_LIMIT && value < DECIMAL_INTEGER_LIMIT) return 'decimal';
  return 'text';
}

/**
 * The type a scalar value is stored as when its column is new. Objects and arrays reaching this point
 * are stored as JSON. Returns undefined for values that cannot be stored (functions, symbols).
 */
export function naturalType(value: unknown): DataType | undefined {
  switch (typeof value) {
    case 'string': {
      const kind = classifyTemporal(value);
      return kind === Temporal.None ? 'text' : kind === Temporal.Date ? 'date' : 'timestamp';
    }
    case 'number':
      return Number.isSafeInteger(value) ? 'bigint' : 'double';
    case 'bigint':
      return bigintType(value);
    case 'boolean':
      return 'bool';
    case 'object':
      if (value === null) return undefined;
      if (value instanceof Date) return 'timestamp';
      if (isBinary(value)) return 'binary';
      return 'json';
    default:
      return undefined;
  }
}

/** A double's shortest decimal form as DECIMAL(38,9) text, or undefined when that would round it. */
export function numberToDecimal(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  if (Number.isInteger(value)) {
    const b = BigInt(value);
    return b > -DECIMAL_INTEGER_LIMIT && b < DECIMAL_INTEGER_LIMIT ? b.toString() : undefined;
  }
  const text = String(value);
  const e = text.indexOf('e');
  let mantissa = e < 0 ? text : text.slice(0, e);
  const exponent = e < 0 ? 0 : Number(text.slice(e + 1));
  const negative = mantissa.startsWith('-');
  if (negative) mantissa = mantissa.slice(1);
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const pointAt = (dot < 0 ? mantissa.length : dot) + exponent;
  let intPart: string;
  let fracPart: string;
  if (pointAt <= 0) {
    intPart = '0';
    fracPart = '0'.repeat(-pointAt) + digits;
  } else if (pointAt >= digits.length) {
    intPart = digits + '0'.repeat(pointAt - digits.length);
    fracPart = '';
  } else {
    intPart = digits.slice(0, pointAt);
    fracPart = digits.slice(pointAt);
  }
  intPart = intPart.replace(/^0+(?=\d)/, '');
  fracPart = fracPart.replace(/0+$/, '');
  if (fracPart.length > DECIMAL_SCALE || intPart.length > DECIMAL_INTEGER_DIGITS) return undefined;
  return (negative ? '-' : '') + intPart + (fracPart ? '.' + fracPart : '');
}

function bigintToDouble(value: bigint): number | undefined {
  const n = Number(value);
  return Number.isFinite(n) && BigInt(n) === value ? n : undefined;
}

/**
 * `value` as a cell of a `type` column, or undefined when that is not lossless (the value then goes to a
 * variant column). Objects and arrays bound for JSON columns are serialized by the caller.
 */
export function toColumnCell(value: unknown, type: DataType): Cell | undefined {
  switch (typeof value) {
    case 'string':
      return stringCell(value, type);
    case 'number':
      switch (type) {
        case 'double': return value;
        case 'bigint':
          if (Number.isSafeInteger(value)) return value;
          // An integral double within int64 is exactly that integer.
          return Number.isInteger(value) && value >= -TWO_POW_63 && value < TWO_POW_63 ? BigInt(value) : undefined;
        case 'decimal': return numberToDecimal(value);
        case 'json': return Number.isFinite(value) ? String(value) : undefined;
        default: return undefined;
      }
    case 'bigint':
      switch (type) {
        case 'bigint': return value >= INT64_MIN && value <= INT64_MAX ? value : undefined;
        case 'double': return bigintToDouble(value);
        case 'decimal': return value > -DECIMAL_INTEGER_LIMIT && value < DECIMAL_INTEGER_LIMIT ? value.toString() : undefined;
        case 'text': return bigintType(value) === 'text' ? value.toString() : undefined;
        case 'json': return value.toString();
        default: return undefined;
      }
    case 'boolean':
      if (type === 'bool') return value;
      return type === 'json' ? String(value) : undefined;
    case 'object':
      if (value === null) return null;
      if (value instanceof Date) {
        const ms = value.getTime();
        if (type === 'timestamp') return Number.isNaN(ms) ? undefined : dateToTimestampText(value);
        return type === 'date' ? midnightUtcDate(ms) : undefined;
      }
      if (type === 'binary' && isBinary(value)) return toBytes(value);
      return undefined;
    default:
      return undefined;
  }
}

/**
 * A valid Date as timestamp text DuckDB reads. Years beyond 9999 are written by toISOString as
 * `+275760-09-13T…`, a form DuckDB does not parse, so the sign is dropped (negative years read fine).
 */
function dateToTimestampText(value: Date): string {
  const iso = value.toISOString();
  return iso.charCodeAt(0) === 43 ? iso.slice(1) : iso; // '+'
}

function stringCell(value: string, type: DataType): Cell | undefined {
  switch (type) {
    case 'text': return value;
    case 'timestamp': {
      const kind = classifyTemporal(value);
      if (kind === Temporal.Timestamp) return value;
      if (kind === Temporal.TimestampToFix) return canonicalTimestamp(value);
      if (kind === Temporal.Date) return dateAtMidnight(value);
      return undefined;
    }
    case 'date': {
      const kind = classifyTemporal(value);
      if (kind === Temporal.Date) return value;
      if (kind === Temporal.None) return undefined;
      return midnightUtcDate(timestampMillis(value));
    }
    case 'json': return JSON.stringify(value);
    case 'decimal': return decimalTextCell(value);
    default: return undefined;
  }
}

const DECIMAL_TEXT = /^([+-]?)(\d+)(?:\.(\d*))?$/;

/** Whether a decimal cell (canonical text: no leading or trailing zeros) fits DECIMAL(precision, scale). */
export function fitsDecimal(cell: string, precision: number, scale: number): boolean {
  const digits = cell.charCodeAt(0) === 45 ? cell.slice(1) : cell; // '-'
  const dot = digits.indexOf('.');
  const intDigits = dot < 0 ? digits.length : dot;
  const fracDigits = dot < 0 ? 0 : digits.length - dot - 1;
  const significantInt = intDigits === 1 && digits.charCodeAt(0) === 48 ? 0 : intDigits; // '0'
  return fracDigits <= scale && significantInt <= precision - scale;
}

/**
 * Exact decimal text (what database drivers give for NUMERIC) as a DECIMAL(38,9) cell, or undefined
 * when it is not a plain decimal number or would not fit without rounding.
 */
function decimalTextCell(value: string): string | undefined {
  const m = DECIMAL_TEXT.exec(value);
  if (!m) return undefined;
  const intPart = m[2].replace(/^0+(?=\d)/, '');
  const fracPart = (m[3] ?? '').replace(/0+$/, '');
  if (fracPart.length > DECIMAL_SCALE || intPart.length > DECIMAL_INTEGER_DIGITS) return undefined;
  const negative = m[1] === '-' && /[1-9]/.test(intPart + fracPart);
  return (negative ? '-' : '') + intPart + (fracPart ? '.' + fracPart : '');
}
