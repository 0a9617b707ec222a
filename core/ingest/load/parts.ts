// Moves part files into a table with INSERT ... SELECT FROM read_csv: DuckDB parses the files in bulk,
// and nothing from the data is ever pasted into SQL text.

import fs from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../../errors';
import { duckdbType, type ColumnSchema, type TableSchema } from '../../schema/types';
import type { Warehouse } from '../../warehouse/connection';
import { quoteIdent, quoteLiteral } from '../../warehouse/quote';
import { printable } from '../normalize/printable';
import { layoutRuns, type PackagePart } from '../package';
import { QUOTE } from './csvEncode';
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
  return schemaColumns(table, part, part.columns);
}

/** The part's constant columns (see PackagePart.constants) with their schema types. */
export function partConstants(table: TableSchema, part: PackagePart): { column: ColumnSchema; value: string }[] {
  const constants = part.constants ?? {};
  return schemaColumns(table, part, Object.keys(constants)).map((column) => ({ column, value: constants[column.name] }));
}

/** Every column a part's rows fill: those in its file and its constants. */
export function partColumnNames(part: PackagePart): string[] {
  return [...part.columns, ...Object.keys(part.constants ?? {})];
}

function schemaColumns(table: TableSchema, part: PackagePart, names: readonly string[]): ColumnSchema[] {
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  return names.map((name) => {
    const column = byName.get(name);
    if (!column) throw new SluiceError(`part ${part.file} of table "${table.name}" has column "${name}", which the schema does not define`);
    return column;
  });
}

/**
 * Inserts parts, in order; returns the number of rows inserted. Consecutive parts with the same columns
 * go in with one statement: DuckDB then reads their files in parallel instead of one after another.
 */
export async function insertParts(
  wh: Warehouse,
  dir: string,
  source: string,
  table: TableSchema,
  parts: readonly PackagePart[],
  insert: PartInsert,
): Promise<number> {
  let total = 0;
  for (const group of layoutRuns(parts)) total += await insertGroup(wh, dir, source, table, group, insert);
  return total;
}

/** Inserts one part; returns the number of rows inserted. */
export function insertPart(
  wh: Warehouse,
  dir: string,
  source: string,
  table: TableSchema,
  part: PackagePart,
  insert: PartInsert,
): Promise<number> {
  return insertGroup(wh, dir, source, table, [part], insert);
}

async function insertGroup(
  wh: Warehouse,
  dir: string,
  source: string,
  table: TableSchema,
  group: readonly PackagePart[],
  insert: PartInsert,
): Promise<number> {
  const files = group.map((part) => path.join(dir, part.file));
  const missing = group.find((_, i) => !fs.existsSync(files[i]));
  if (missing) {
    throw new SluiceError(`part file ${missing.file} of table "${source}"."${table.name}" is missing from the load package ${dir}`);
  }
  const columns = partColumns(table, group[0]);
  const constants = partConstants(table, group[0]);
  const names = columnList([...columns, ...constants.map((c) => c.column)].map((c) => c.name));
  const selectList = [...csvSelectList(columns), ...constants.map(({ column, value }) => constantSelectItem(column, value))];
  const select = `SELECT ${selectList.join(', ')} FROM ${readCsvCall(files, columns, maxLineBytes(group))}`;
  const where = insert.where ? ` WHERE ${insert.where}` : '';
  const sql = `INSERT INTO ${insert.target} (${names}) SELECT ${names} FROM (${select}) AS p${where}`;
  try {
    return await exec(wh, sql);
  } catch (err) {
    const what = failingPart(err, group, files) ?? `${group[0].file} … ${group[group.length - 1].file}`;
    throw new SluiceError(`cannot load ${what} into "${source}"."${table.name}": ${describeCsvError(err, columns)}`);
  }
}

/** The group's part that a read_csv error names (its detail lists `file = <path>`), if any. */
function failingPart(err: unknown, group: readonly PackagePart[], files: readonly string[]): string | undefined {
  if (group.length === 1) return group[0].file;
  const named = /^\s*file = (.+)$/m.exec(err instanceof Error ? err.message : String(err))?.[1].trim();
  const index = named === undefined ? -1 : files.findIndex((file) => path.resolve(file) === named);
  return index < 0 ? undefined : group[index].file;
}


/** A constant column's value as a typed SQL literal (the value is quoted, never pasted). */
function constantSelectItem(column: ColumnSchema, value: string): string {
  return `CAST(${quoteLiteral(value)} AS ${duckdbType(column.dataType)}) AS ${quoteIdent(column.name)}`;
}

/** The recorded bound on the longest line of the group's files, if every part has one. */
function maxLineBytes(group: readonly PackagePart[]): number | undefined {
  let max = 0;
  for (const part of group) {
    if (typeof part.maxLineBytes !== 'number' || !Number.isFinite(part.maxLineBytes)) return undefined;
    max = Math.max(max, part.maxLineBytes);
  }
  return max;
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
  // DuckDB quotes the offending line as it is in the file: shown with '"' as the quote character.
  const detail = printable(lines.slice(0, 3).join(' ').replaceAll(QUOTE, '"')).replace(/column "f(\d+)"/g, (whole, index: string) => {
    const column = columns[Number(index)];
    return column ? `column ${JSON.stringify(column.name)}` : whole;
  });
  return detail.length > 0 ? detail.slice(0, 500) : firstLine(err);
}
