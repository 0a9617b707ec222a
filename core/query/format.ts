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

/** A table cell: numbers stay numbers so the table right-aligns them. */
export function tableCell(value: QueryValue): string | number {
  return typeof value === 'number' ? value : cellText(value);
}

export function csvField(value: QueryValue): string {
  if (value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly QueryValue[]): string {
  return values.map(csvField).join(',') + '\r\n';
}
