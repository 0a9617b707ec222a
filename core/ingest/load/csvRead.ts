// The SQL side of the part-file format written by csvEncode.ts: a read_csv call with every option fixed
// (nothing sniffed) and explicit column types, plus the expressions that turn CSV fields into column values.

import fs from 'node:fs';
import path from 'node:path';
import { columnDuckdbType, duckdbType, type ColumnSchema } from '../../schema/types';
import { quoteIdent, quoteLiteral } from '../../warehouse/quote';
import { NULL_MARKER, QUOTE } from './csvEncode';

/** DuckDB's default line limit; raised per file so that one long value never fails a load. */
const DEFAULT_MAX_LINE_SIZE = 2 * 1024 * 1024;
/**
 * The read buffer for files of short lines. DuckDB's own default (16 lines of its line limit, 32 MB) costs
 * memory on every thread and reads no faster for part files.
 */
const DEFAULT_BUFFER_SIZE = 4 * DEFAULT_MAX_LINE_SIZE;

/**
 * read_csv's buffer for files whose longest line is maxLineBytes. DuckDB would make it 16 lines long; for
 * long lines that is hundreds of megabytes per thread, while two lines are enough to hold any line whole.
 */
export function csvBufferSize(maxLineBytes: number): number {
  return Math.max(DEFAULT_BUFFER_SIZE, 2 * Math.max(DEFAULT_MAX_LINE_SIZE, maxLineBytes));
}

/**
 * The type read_csv parses a field as. Binary and JSON arrive as text and are converted afterwards, and
 * so do timestamps: read_csv turns a TIMESTAMPTZ field it cannot parse into NULL without a word, while
 * an explicit CAST fails the load, so no value is ever dropped silently. A decimal of known precision is
 * read as its own DECIMAL(p,s) (the normalizer lets only values that fit into such a column): parsed as
 * DECIMAL(38,9) and cast on insert, 1M values cost DuckDB about eight times as long as the whole rest
 * of the row.
 */
function csvFieldType(column: ColumnSchema): string {
  const type = column.dataType;
  return type === 'binary' || type === 'json' || type === 'timestamp' ? 'VARCHAR' : columnDuckdbType(column);
}

/** Field names inside the CSV are positional (f0, f1, ...) so that column names never enter the options. */
function fieldName(index: number): string {
  return `f${index}`;
}

/**
 * `read_csv(...)` over part files whose fields are the given columns, in order. One call reads several
 * files in parallel, in list order. maxLineBytes bounds the longest line when the writer recorded it.
 */
export function readCsvCall(files: string | readonly string[], columns: readonly ColumnSchema[], maxLineBytes?: number): string {
  const list = typeof files === 'string' ? [files] : files;
  const fields = columns.map((c, i) => `${quoteLiteral(fieldName(i))}: ${quoteLiteral(csvFieldType(c))}`);
  // DuckDB's read buffer is a multiple of max_line_size, so an oversized bound costs memory and parallelism;
  // without a recorded bound, a line can never be longer than its file.
  const longest = maxLineBytes ?? Math.max(0, ...list.map(fileSize)) + 1;
  const maxLine = Math.max(DEFAULT_MAX_LINE_SIZE, longest);
  const options = [
    'header = false',
    'auto_detect = false',
    `columns = {${fields.join(', ')}}`,
    `delim = ','`,
    `quote = ${quoteLiteral(QUOTE)}`,
    `escape = ${quoteLiteral(QUOTE)}`,
    `new_line = '\\n'`,
    `nullstr = ${quoteLiteral(NULL_MARKER)}`,
    'allow_quoted_nulls = false',
    `max_line_size = ${maxLine}`,
    `buffer_size = ${csvBufferSize(maxLine)}`,
  ];
  const paths = list.map((file) => quoteLiteral(path.resolve(file)));
  return `read_csv(${paths.length === 1 ? paths[0] : `[${paths.join(', ')}]`}, ${options.join(', ')})`;
}

/** Select-list items that give each CSV field its column's value, aliased with the real column names. */
export function csvSelectList(columns: readonly ColumnSchema[]): string[] {
  return columns.map((c, i) => {
    const field = quoteIdent(fieldName(i));
    const value =
      c.dataType === 'binary' ? `unhex(${field})`
      : c.dataType === 'json' || c.dataType === 'timestamp' ? `CAST(${field} AS ${duckdbType(c.dataType)})`
      : field;
    return `${value} AS ${quoteIdent(c.name)}`;
  });
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0; // a missing file fails in read_csv with DuckDB's own message
  }
}
