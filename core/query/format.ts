// Query results as text: cells for a table people read, and CSV (RFC 4180) for other tools.
// NULL and empty text stay apart in both: NULL prints as NULL in the table and as an empty field in CSV,
// where empty text is "".

import type { QueryValue } from './types';

const MAX_CELL = 80;

/** A value in a text table: one line, at most MAX_CELL characters. */
export function cellText(value: QueryValue): string {
  if (value === null) return 'NULL';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/\r\n|\r|\n/g, '\\n').replace(/[\u0000-\u001f]/g, ' ');
  return line.length > MAX_CELL ? `${line.slice(0, MAX_CELL - 1)}…` : line;
}

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)\b/;

/** Whether a column of this type is right-aligned in a text table (NULLs and wide values included). */
export function isNumericType(type: string): boolean {
  return NUMERIC_TYPE.test(type);
}

/** A value of a column of `type` as the table shows it: DECIMAL(p,s) with its s digits, as DuckDB prints it. */
export function typedCellText(value: QueryValue, type: string): string {
  const scale = /^DECIMAL\(\d+,(\d+)\)$/.exec(type);
  return scale && typeof value === 'number' ? value.toFixed(Number(scale[1])) : cellText(value);
}

export function csvField(value: QueryValue): string {
  if (value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly QueryValue[]): string {
  return values.map(csvField).join(',') + '\r\n';
}
