// Writing a query's whole result to a file: CSV and JSON from the rows as the grid and `sluice query` read
// them (NULL apart from empty text, lists and structs as JSON), Parquet by DuckDB's own writer. The query
// runs again on a connection of its own, so a grid paging through the same result is not disturbed, and
// its rows stream through in pages: an export of millions of rows never holds them all.

import fs from 'node:fs';
import { once } from 'node:events';
import type { Warehouse } from '../warehouse/connection';
import { quoteLiteral } from '../warehouse/quote';
import { csvLine } from './format';
import { toQueryError } from './queryError';
import { QueryRun } from './run';
import type { QueryColumn, QueryValue } from './types';

export type ExportFormat = 'csv' | 'json' | 'parquet';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'json', 'parquet'];

/** Rows read from DuckDB per step of a CSV or JSON export. */
const EXPORT_PAGE = 2_048;

export interface ExportWriter {
  header(columns: readonly QueryColumn[]): string;
  row(columns: readonly QueryColumn[], values: readonly QueryValue[], first: boolean): string;
  footer(): string;
}

/** RFC 4180, as `sluice query --csv`: a header line of column names, NULL an empty field, empty text "". */
export const csvWriter: ExportWriter = {
  header: (columns) => csvLine(columns.map((c) => c.name)),
  row: (_columns, values) => csvLine(values),
  footer: () => '',
};

/** One JSON array of row objects keyed by column name (DuckDB's names are unique within a result). */
export const jsonWriter: ExportWriter = {
  header: () => '[',
  row: (columns, values, first) => `${first ? '\n' : ',\n'}${JSON.stringify(Object.fromEntries(columns.map((c, i) => [c.name, values[i]])))}`,
  footer: () => '\n]\n',
};

/** Writes the result of `sql` to `file`; answers the number of rows written. */
export async function exportQueryResult(wh: Warehouse, sql: string, format: ExportFormat, file: string): Promise<number> {
  if (format === 'parquet') return exportParquet(wh, sql, file);
  return exportRows(wh, sql, format === 'csv' ? csvWriter : jsonWriter, file);
}

async function exportParquet(wh: Warehouse, sql: string, file: string): Promise<number> {
  // COPY takes a query, not a statement: a trailing semicolon would end it early.
  const query = sql.trim().replace(/;+\s*$/, '');
  try {
    const reader = await wh.connection.runAndReadAll(`COPY (${query}) TO ${quoteLiteral(file)} (FORMAT parquet)`);
    return Number(reader.getRows()[0]?.[0] ?? 0);
  } catch (err) {
    throw toQueryError(err, sql);
  }
}

async function exportRows(wh: Warehouse, sql: string, writer: ExportWriter, file: string): Promise<number> {
  const run = new QueryRun(wh, sql, undefined, EXPORT_PAGE);
  await run.start();
  const out = fs.createWriteStream(file, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  const write = async (text: string) => {
    if (text !== '' && !out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  let written = 0;
  try {
    await write(writer.header(run.columns));
    for (;;) {
      const page = await run.page(written, EXPORT_PAGE);
      for (const values of page.rows) await write(writer.row(run.columns, values, written++ === 0));
      if (page.rows.length === 0 || (page.done && written >= page.rowsRead)) break;
    }
    await write(writer.footer());
  } finally {
    await run.close();
    out.end();
  }
  await Promise.race([once(out, 'finish'), failed]);
  return written;
}
