// How one Cell becomes one CSV field in a part file. The encoding is chosen so that DuckDB's read_csv
// (with the options in csvRead.ts) gives every value back exactly:
// - NULL is the unquoted marker \N; every string is quoted, so the string "\N" and "" stay strings
//   (read with allow_quoted_nulls=false);
// - numbers use JavaScript's shortest round-trip form, with nan/inf/-inf and -0 spelled out;
// - bigints are written in full, never through a double;
// - binary is quoted lowercase hex, turned back into a BLOB with unhex() when loaded.

import type { Cell } from '../package';

export const NULL_MARKER = '\\N';

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
        return '"' + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') + '"';
      }
      throw new TypeError(`unsupported value of type ${describeType(value)}`);
  }
}

function quoteField(text: string): string {
  // Only strings containing a quote need the (slower) replace; everything else is wrapped as is.
  return text.includes('"') ? '"' + text.replace(/"/g, '""') + '"' : '"' + text + '"';
}

function encodeNumber(value: number): string {
  if (Number.isFinite(value)) return Object.is(value, -0) ? '-0' : String(value);
  if (Number.isNaN(value)) return 'nan';
  return value > 0 ? 'inf' : '-inf';
}

function describeType(value: unknown): string {
  if (typeof value !== 'object') return typeof value;
  return value === null ? 'null' : (value.constructor?.name ?? 'object');
}
