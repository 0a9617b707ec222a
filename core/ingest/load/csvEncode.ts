// How one Cell becomes one CSV field in a part file. The encoding is chosen so that DuckDB's read_csv
// (with the options in csvRead.ts) gives every value back exactly:
// - NULL is the unquoted marker \N; every string is quoted, so the string "\N" and "" stay strings
//   (read with allow_quoted_nulls=false);
// - the quote character is U+0001, not '"': text almost never holds it, so a string is rarely copied to
//   double a quote inside it (text with '"' is common, and every JSON value has them), and DuckDB reads
//   fields with nothing to unescape. A U+0001 inside a string is doubled, as CSV doubles quotes;
// - numbers use JavaScript's shortest round-trip form, with nan/inf/-inf and -0 spelled out;
// - bigints are written in full, never through a double;
// - binary is quoted lowercase hex, turned back into a BLOB with unhex() when loaded.

import type { DataType } from '../../schema/types';
import type { Cell, Row } from '../package';

export const NULL_MARKER = '\\N';
/** The quote (and quote-escape) character of part files; see the top of this file. */
export const QUOTE = '\u0001';
const DOUBLED_QUOTE = QUOTE + QUOTE;

/** Encodes one value; throws a TypeError for values that are not Cells (the caller adds context). */
export function encodeCell(value: Cell | undefined): string {
  if (value === null || value === undefined) return NULL_MARKER;
  switch (typeof value) {
    case 'string':
      return quoteField(value);
    case 'number':
      return encodeNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      if (value instanceof Uint8Array) {
        return QUOTE + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') + QUOTE;
      }
      throw new TypeError(`unsupported value of type ${describeType(value)}`);
  }
}

function quoteField(text: string): string {
  // Only strings containing the quote character need the (slower) replace; everything else is wrapped as is.
  return QUOTE + (text.includes(QUOTE) ? escapeQuotes(text) : text) + QUOTE;
}

/** A string's field content inside its quotes: each quote character doubled. */
export function escapeQuotes(text: string): string {
  return text.replaceAll(QUOTE, DOUBLED_QUOTE);
}

export function encodeNumber(value: number): string {
  if (Number.isFinite(value)) return Object.is(value, -0) ? '-0' : String(value);
  if (Number.isNaN(value)) return 'nan';
  return value > 0 ? 'inf' : '-inf';
}

function describeType(value: unknown): string {
  if (typeof value !== 'object') return typeof value;
  return value === null ? 'null' : (value.constructor?.name ?? 'object');
}

/**
 * A function that encodes a whole row as one CSV line (with its newline), for rows whose fields are
 * `columns`, in order. It is compiled for the column list: named property reads with a shape V8 can
 * cache, and each column's most likely value type tested first. That is about a third faster than a loop
 * over the columns, and encoding is the largest cost of staging rows. The column names enter the
 * generated code only as JSON string literals; what a field holds is decided by encodeCell as above, so
 * the output is the same as encoding each field with it.
 * `inherited[i]`: the column is named like an Object.prototype member, so only the row's own value counts.
 */
export function rowEncoder(columns: readonly string[], types: readonly DataType[], inherited: readonly boolean[]): (row: Row) => string {
  const fields = columns.map((name, i) => {
    const key = JSON.stringify(name);
    const read = inherited[i] ? `Object.hasOwn(r, ${key}) ? r[${key}] : null` : `r[${key}]`;
    const likely = NUMERIC_TYPES.has(types[i]) ? `typeof v === 'number' ? num(v)` : `typeof v === 'string' ? quote(v)`;
    return `v = ${read};\n  s${i === 0 ? '' : ' += ","; s'} += v === null || v === undefined ? NULL : ${likely} : cell(v);`;
  });
  const body = `let v, s = '';\n  ${fields.join('\n  ')}\n  return s + '\\n';`;
  const compile = new Function('NULL', 'quote', 'num', 'cell', `return function encodeRow(r) {\n  ${body}\n};`);
  return compile(NULL_MARKER, quoteField, encodeNumber, encodeCell) as (row: Row) => string;
}

const NUMERIC_TYPES: ReadonlySet<DataType> = new Set(['bigint', 'double']);

/**
 * For wide layouts: a function that encodes a row by walking the row's own keys rather than every column.
 * Reading hundreds of properties a row does not have costs far more than the few it has (sparse tables,
 * such as free-form metadata spread over many columns), so the line is built from the row's values in
 * column order, with runs of NULL fields between them. The output is the same as rowEncoder's.
 * Keys that are not columns of the layout (constant columns) are skipped.
 */
export function sparseRowEncoder(columns: readonly string[]): (row: Row) => string {
  const position = new Map(columns.map((name, i) => [name, i]));
  const last = columns.length - 1;
  // nullFields[k]: k NULL fields, each followed by its separator.
  const nullFields = Array.from({ length: columns.length + 1 }, (_, k) => `${NULL_MARKER},`.repeat(k));
  const at: number[] = [];
  const text: string[] = [];
  return function encodeSparseRow(row: Row): string {
    at.length = 0;
    text.length = 0;
    for (const key in row) {
      const i = position.get(key);
      if (i === undefined) continue;
      const value = row[key];
      if (value === null || value === undefined) continue;
      // Insertion keeps the fields in column order; rows mostly hold their keys in that order already.
      let j = at.length;
      while (j > 0 && at[j - 1] > i) j--;
      at.splice(j, 0, i);
      text.splice(j, 0, encodeCell(value));
    }
    let line = '';
    let next = 0;
    for (let k = 0; k < at.length; k++) {
      const i = at[k];
      line += nullFields[i - next] + text[k] + (i === last ? '' : ',');
      next = i + 1;
    }
    if (next <= last) line += nullFields[last - next] + NULL_MARKER;
    return line + '\n';
  };
}
