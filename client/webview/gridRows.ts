// Sorting, filtering and showing a result's cells in the grid. Sort and filter work on the rows the grid has
// loaded (the page says so), with SQL NULL kept apart from every text: NULLs sort last whichever the
// direction, and a text filter never matches a NULL (the word "null" finds text, not missing values).

import type { QueryValue } from '../../core/query/types';

export type SortDirection = 'asc' | 'desc';

/** A cell as one line of text; NULL is undefined so that callers must show it their own way. */
export function cellText(value: QueryValue): string | undefined {
  if (value === null) return undefined;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Lists, structs, maps and JSON objects: shown in full when their cell is opened. */
export function isNested(value: QueryValue): value is QueryValue[] | { [key: string]: QueryValue } {
  return value !== null && typeof value === 'object';
}

const INTEGER = /^-?\d+$/;

/**
 * Orders two non-NULL values. In a numeric column (`numeric`) values are compared as numbers, also those
 * sent as text because a double cannot hold them (BIGINT, HUGEINT, wide DECIMALs); elsewhere numbers by
 * value, booleans false first, and the rest by their text.
 */
export function compareValues(a: QueryValue, b: QueryValue, numeric = false): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const ta = cellText(a) ?? '';
  const tb = cellText(b) ?? '';
  if (numeric) {
    if (INTEGER.test(ta) && INTEGER.test(tb)) {
      const x = BigInt(ta);
      const y = BigInt(tb);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    const d = Number(ta) - Number(tb);
    if (!Number.isNaN(d) && d !== 0) return d;
  }
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

/** Indexes of `rows` sorted by one column, stable; NULLs last in either direction. */
export function sortedIndexes(rows: readonly (readonly QueryValue[])[], indexes: readonly number[], column: number, direction: SortDirection, numeric = false): number[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...indexes].sort((i, j) => {
    const a = rows[i][column];
    const b = rows[j][column];
    if (a === null || b === null) return a === b ? i - j : a === null ? 1 : -1;
    return sign * compareValues(a, b, numeric) || i - j;
  });
}

/** Indexes of the rows with a cell whose text holds `query` (case-insensitive); NULL cells hold no text. */
export function filteredIndexes(rows: readonly (readonly QueryValue[])[], query: string): number[] {
  const needle = query.trim().toLowerCase();
  const out: number[] = [];
  rows.forEach((row, i) => {
    if (needle === '' || row.some((v) => cellText(v)?.toLowerCase().includes(needle))) out.push(i);
  });
  return out;
}

/** Rows as tab-separated text with a header line, for the clipboard (NULL an empty field, tabs and newlines as spaces). */
export function rowsAsText(columns: readonly string[], rows: readonly (readonly QueryValue[])[]): string {
  const field = (text: string) => text.replace(/[\t\r\n]+/g, ' ');
  return [columns.map(field).join('\t'), ...rows.map((row) => row.map((v) => field(cellText(v) ?? '')).join('\t'))].join('\n') + '\n';
}
