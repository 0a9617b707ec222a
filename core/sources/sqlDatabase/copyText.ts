// PostgreSQL's COPY text format, decoded into rows: one line per row, fields split by tabs, \N for NULL,
// and backslash escapes for the tabs, newlines and backslashes inside values. Reading a table this way
// is several times faster than fetching it row by row through the wire protocol's result rows.

import type { Item } from '../../ingest/types';

const NEWLINE = 10;
const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Turns a field's text (never NULL) into the value the row holds. */
export type FieldConverter = (text: string) => unknown;

/** Turns chunks of COPY output into rows; a row split across chunks is completed by the next one. */
export class CopyTextDecoder {
  private rest: Buffer | undefined;
  /** The fields of the row being decoded; reused for every row. */
  private readonly fields: (string | null)[];
  private readonly build: (fields: readonly (string | null)[]) => Item;

  /** `converters[i]`, when given, turns the text of column i (not NULL) into its value. */
  constructor(names: readonly string[], converters: readonly (FieldConverter | undefined)[] = []) {
    this.fields = names.map(() => null);
    this.build = rowBuilder(names, converters);
  }

  /** The complete rows in this chunk (and the part of a row left from the previous one). */
  rows(chunk: Buffer): Item[] {
    const data = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    const end = data.lastIndexOf(NEWLINE);
    if (end < 0) {
      this.rest = data;
      return [];
    }
    this.rest = end + 1 < data.length ? data.subarray(end + 1) : undefined;
    // Decoded once per chunk: a row never ends inside a multi-byte character, since it ends at a newline.
    const text = data.toString('utf8', 0, end);
    const out: Item[] = [];
    let start = 0;
    while (start <= text.length) {
      let lineEnd = text.indexOf('\n', start);
      if (lineEnd < 0) lineEnd = text.length;
      out.push(this.row(text, start, lineEnd));
      start = lineEnd + 1;
    }
    return out;
  }

  /** Whether bytes of an unfinished row are left (the output ended mid-row). */
  get pending(): boolean {
    return this.rest !== undefined && this.rest.length > 0;
  }

  private row(text: string, start: number, end: number): Item {
    const { fields } = this;
    const count = fields.length;
    let at = start;
    for (let i = 0; i < count; i++) {
      let fieldEnd = i === count - 1 ? end : text.indexOf('\t', at);
      if (fieldEnd < 0 || fieldEnd > end) fieldEnd = end;
      const field = text.slice(at, fieldEnd);
      fields[i] = field === '\\N' ? null : field.includes('\\') ? unescapeField(field) : field;
      at = fieldEnd + 1;
    }
    return this.build(fields);
  }
}

/**
 * A function that makes a row object of the fields, converting those that have a converter: compiled for
 * the column list, so that every row is built at once in its final shape (an object literal V8 makes from
 * one template) instead of key by key and then converted in place. Names enter the code only as JSON
 * string literals; `__proto__` as a computed key, so that it stays a plain property.
 */
function rowBuilder(names: readonly string[], converters: readonly (FieldConverter | undefined)[]): (fields: readonly (string | null)[]) => Item {
  const properties = names.map((name, i) => {
    const key = name === '__proto__' ? `[${JSON.stringify(name)}]` : JSON.stringify(name);
    const value = converters[i] ? `f[${i}] === null ? null : c[${i}](f[${i}])` : `f[${i}]`;
    return `${key}: ${value}`;
  });
  const compile = new Function('c', `return function buildRow(f) {\n  return { ${properties.join(',\n    ')} };\n};`);
  return compile(converters) as (fields: readonly (string | null)[]) => Item;
}

/** Undoes COPY's escapes: \t \n \\ and friends, octal \123 and hex \x41 bytes. */
export function unescapeField(field: string): string {
  let out = '';
  let bytes: number[] | undefined;
  const flushBytes = () => {
    if (bytes) {
      out += Buffer.from(bytes).toString('utf8');
      bytes = undefined;
    }
  };
  for (let i = 0; i < field.length; i++) {
    const c = field[i];
    if (c !== '\\' || i + 1 >= field.length) {
      flushBytes();
      out += c;
      continue;
    }
    const next = field[++i];
    const octal = /^[0-7]{1,3}/.exec(field.slice(i, i + 3));
    const hex = next === 'x' ? /^[0-9a-fA-F]{1,2}/.exec(field.slice(i + 1, i + 3)) : null;
    if (octal) {
      (bytes ??= []).push(parseInt(octal[0], 8) & 0xff);
      i += octal[0].length - 1;
    } else if (hex) {
      (bytes ??= []).push(parseInt(hex[0], 16));
      i += hex[0].length;
    } else {
      flushBytes();
      out += ESCAPES[next] ?? next;
    }
  }
  flushBytes();
  return out;
}
