// Moves one part file into a table with a single INSERT ... SELECT FROM read_csv: DuckDB parses the file
// in bulk, and nothing from the data is ever pasted into SQL text.

import fs from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../../errors';
import type { ColumnSchema, TableSchema } from '../../schema/types';
import type { Warehouse } from '../../warehouse/connection';
import { quoteIdent } from '../../warehouse/quote';
import type { PackagePart } from '../package';
import { csvSelectList, readCsvCall } from './csvRead';
import { columnList, exec, firstLine } from './sql';

export interface PartInsert {
  /** Where the rows go: a qualified table or a temp table. */
  target: string;
  /** Optional condition on the part's rows, written against the alias `p` (real column names). */
  where?: string;
}

/** The part's columns with their schema types; a column the schema does not know is an error. */
export function partColumns(table: TableSchema, part: PackagePart): ColumnSchema[] {
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  return part.columns.map((name) => {
    const column = byName.get(name);
    if (!column) throw new SluiceError(`part ${part.file} of table "${table.name}" has column "${name}", which the schema does not define`);
    return column;
  });
}

/** Inserts one part; returns the number of rows inserted. */
export async function insertPart(
  wh: Warehouse,
  dir: string,
  source: string,
  table: TableSchema,
  part: PackagePart,
  insert: PartInsert,
): Promise<number> {
  const file = path.join(dir, part.file);
  if (!fs.existsSync(file)) {
    throw new SluiceError(`part file ${part.file} of table "${source}"."${table.name}" is missing from the load package ${dir}`);
  }
  const columns = partColumns(table, part);
  const names = columnList(columns.map((c) => c.name));
  const select = `SELECT ${csvSelectList(columns).join(', ')} FROM ${readCsvCall(file, columns)}`;
  const where = insert.where ? ` WHERE ${insert.where}` : '';
  const sql = `INSERT INTO ${insert.target} (${names}) SELECT ${names} FROM (${select}) AS p${where}`;
  try {
    return await exec(wh, sql);
  } catch (err) {
    throw new SluiceError(`cannot load ${part.file} into "${source}"."${table.name}": ${describeCsvError(err, columns)}`);
  }
}

/** `p."col"` for filters on a part's rows. */
export function partRef(column: string): string {
  return `p.${quoteIdent(column)}`;
}

// read_csv errors put the useful detail (line number, what failed) on later lines; keep those, on one
// line, and name columns by their real names rather than the positional field names.
function describeCsvError(err: unknown, columns: readonly ColumnSchema[]): string {
  const message = err instanceof Error ? err.message : String(err);
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const detail = lines.slice(0, 3).join(' ').replace(/column "f(\d+)"/g, (whole, index: string) => {
    const column = columns[Number(index)];
    return column ? `column ${JSON.stringify(column.name)}` : whole;
  });
  return detail.length > 0 ? detail.slice(0, 500) : firstLine(err);
}
