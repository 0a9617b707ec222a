// Turning nested values into text: JSON for json columns, a canonical form for scd2 content hashes,
// and short previews of values for error messages. All of them detect cycles instead of looping.

import { createHash } from 'node:crypto';
import { isBinary, toBytes } from './infer';

/** A value that cannot be serialized, with the path (relative to the serialized value) where it sits. */
export class UnserializableValue extends Error {
  constructor(readonly relativePath: string, readonly problem: string) {
    super(`${relativePath || '(value)'}: ${problem}`);
  }
}

interface Mode {
  /** Sort object keys and tag types so that equal content gives equal text and different types differ. */
  canonical: boolean;
}

const JSON_MODE: Mode = { canonical: false };
const CANONICAL_MODE: Mode = { canonical: true };

function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

function base64(value: object): string {
  const bytes = toBytes(value);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function write(value: unknown, path: string, stack: object[], mode: Mode): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (Number.isFinite(value)) return String(value);
      return mode.canonical ? `"#${value}"` : 'null';
    case 'bigint':
      return mode.canonical ? `"#${value}n"` : value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
    case 'function':
      throw new UnserializableValue(path, 'is a function');
    case 'symbol':
      throw new UnserializableValue(path, 'is a symbol');
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (obj instanceof Date) {
    if (Number.isNaN(obj.getTime())) throw new UnserializableValue(path, 'is an invalid Date');
    return mode.canonical ? `"#D${obj.toISOString()}"` : `"${obj.toISOString()}"`;
  }
  if (isBinary(obj)) return mode.canonical ? `"#B${base64(obj)}"` : `"${base64(obj)}"`;
  if (obj instanceof Map || obj instanceof Set) {
    throw new UnserializableValue(path, `is a ${obj instanceof Map ? 'Map' : 'Set'}; convert it to an object or array`);
  }
  if (stack.includes(obj)) throw new UnserializableValue(path, 'refers back to one of its parents (cyclic object)');
  stack.push(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = '[';
    for (let i = 0; i < obj.length; i++) {
      if (i > 0) out += ',';
      out += write(obj[i], joinPath(path, i), stack, mode);
    }
    out += ']';
  } else {
    const keys = Object.keys(obj);
    if (mode.canonical) keys.sort();
    out = '{';
    let first = true;
    for (const key of keys) {
      const v = (obj as Record<string, unknown>)[key];
      // Null and absent fields normalize to the same row, so they hash the same.
      if (v === undefined || (v === null && mode.canonical)) continue;
      if (!first) out += ',';
      first = false;
      out += JSON.stringify(key) + ':' + write(v, joinPath(path, key), stack, mode);
    }
    out += '}';
  }
  stack.pop();
  return out;
}

/**
 * JSON text for a json column. bigint values are written as plain JSON numbers, Dates as ISO strings,
 * binary as base64 strings, NaN and ±Infinity as null (JSON has no spelling for them).
 */
export function toJsonText(value: unknown): string {
  return write(value, '', [], JSON_MODE);
}

/** A stable id for an item's whole content: equal content (in any key order) gives the same id. */
export function contentHash(value: unknown): string {
  const text = write(value, '', [], CANONICAL_MODE);
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

const PREVIEW_LENGTH = 80;

/** A short rendering of a value for error messages; never throws. */
export function previewValue(value: unknown): string {
  let text: string;
  try {
    if (typeof value === 'function') text = '[function]';
    else if (typeof value === 'symbol') text = value.toString();
    else if (typeof value === 'bigint') text = `${value}n`;
    else text = write(value, '', [], JSON_MODE);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > PREVIEW_LENGTH ? text.slice(0, PREVIEW_LENGTH - 1) + '…' : text;
}
