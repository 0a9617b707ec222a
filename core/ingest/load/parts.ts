// Moves part files into a table with INSERT ... SELECT FROM read_csv: DuckDB parses the files in bulk,
// and nothing from the data is ever pasted into SQL text. Consecutive parts are grouped into reads, one
// read_csv call and one statement each (see partReads).

import fs from 'node:fs';
import path from 'node:path';
import { SluiceError } from '../../errors';
import { duckdbType, type ColumnSchema, type TableSchema } from '../../schema/types';
import type { Warehouse } from '../../warehouse/connection';
import { quoteIdent, quoteLiteral } from '../../warehouse/quote';
import { printable } from '../normalize/printable';
import { sameConstants, sameLayout, type PackagePart } from '../package';
import { QUOTE } from './csvEncode';
import { csvSelectList, readCsvCall } from './csvRead';
import { columnList, exec, firstLine, withInsertionOrder } from './sql';

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

/** DuckDB's row group: the rows one insert fills before it starts another. */
const ROW_GROUP_ROWS = 122_880;
/** Parts below DuckDB's vector size, whose rows go in as one partial chunk: they cost more per file than per row. */
const SMALL_PART_ROWS = 2048;
/** Where a padded read's joined file is written, inside the package directory. */
const JOINED_DIR = 'joined';
/** Bytes copied at a time when part files are joined. */
const COPY_CHUNK_BYTES = 1 << 20;

/**
 * Consecutive parts that one read_csv call reads with the fields of `layout`, the widest of them. In a
 * padded read some parts have fewer fields, the first of the layout's, and their lines get NULL for the rest.
 */
export interface PartRead {
  parts: PackagePart[];
  layout: PackagePart;
  padded: boolean;
}

/**
 * The reads that cover the parts, in order. Parts of one layout share a read, which DuckDB reads in
 * parallel. Small parts whose fields are the first of each other's (a table that gained columns) share
 * a padded read while it holds less than a row group: a table that grows a column at a time has a part
 * per column, and a read_csv call per part costs far more than its rows (binding one takes milliseconds
 * on a wide table, and DuckDB appends each file's rows as chunks of their own, column by column). Larger
 * parts keep reads of their own, read in parallel.
 */
export function partReads(parts: readonly PackagePart[]): PartRead[] {
  const reads: PartRead[] = [];
  for (const part of parts) {
    const read = reads[reads.length - 1];
    if (!read || !addToRead(read, part)) reads.push({ parts: [part], layout: part, padded: false });
  }
  return reads;
}

/** Adds the part to the read when the read can take it (see partReads); whether it did. */
function addToRead(read: PartRead, part: PackagePart): boolean {
  if (read.padded || !sameLayout(read.layout, part)) {
    const fits = isSmall(part) && read.parts.every(isSmall) && rowCount(read.parts) + part.rows < ROW_GROUP_ROWS;
    const wider = fits ? widerLayout(read.layout, part) : undefined;
    if (wider === undefined) return false;
    read.padded ||= !sameLayout(read.layout, part);
    read.layout = wider;
  }
  read.parts.push(part);
  return true;
}

/** Of two layouts with the same constants, the one whose fields begin with all of the other's; undefined if neither. */
function widerLayout(a: PackagePart, b: PackagePart): PackagePart | undefined {
  const [narrow, wide] = a.columns.length <= b.columns.length ? [a, b] : [b, a];
  const prefix = narrow.columns.every((name, i) => wide.columns[i] === name);
  return prefix && sameConstants(a.constants, b.constants) ? wide : undefined;
}

function isSmall(part: PackagePart): boolean {
  return part.rows < SMALL_PART_ROWS;
}

function rowCount(parts: readonly PackagePart[]): number {
  return parts.reduce((rows, part) => rows + part.rows, 0);
}

/** The files read_csv reads for a read; remove() deletes what was written for it. */
export interface ReadFiles {
  files: string[];
  /** Whether `files` is one file joining the parts' files in order: its row N is the parts' row N. */
  joined: boolean;
  remove(): void;
}

/**
 * The files to read for a read. A padded read reads one file that joins its parts' files: DuckDB reads a
 * padded read on one thread anyway, and one file of 400 parts' lines loaded four times as fast as the
 * 400 files (each file's rows go in as chunks of their own, at a cost per chunk and column).
 */
export async function readFiles(dir: string, source: string, table: string, read: PartRead): Promise<ReadFiles> {
  const files = read.parts.map((part) => path.join(dir, part.file));
  const missing = read.parts.find((_, i) => !fs.existsSync(files[i]));
  if (missing) throw new SluiceError(`part file ${missing.file} of table "${source}"."${table}" is missing from the load package ${dir}`);
  if (!read.padded) return { files, joined: false, remove: () => undefined };
  const joined = path.join(dir, JOINED_DIR, read.parts[0].file);
  await joinFiles(files, joined);
  return { files: [joined], joined: true, remove: () => fs.rmSync(joined, { force: true }) };
}

/** Copies the files, one after another, into `out` (replaced if a failed load left it behind). */
async function joinFiles(files: readonly string[], out: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(out), { recursive: true });
  const target = await fs.promises.open(out, 'w');
  try {
    const buffer = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
    for (const file of files) {
      const source = await fs.promises.open(file, 'r');
      try {
        for (let n; (n = (await source.read(buffer, 0, buffer.length)).bytesRead) > 0; ) await target.write(buffer, 0, n);
      } finally {
        await source.close();
      }
    }
  } finally {
    await target.close();
  }
}

/**
 * Inserts parts, one statement per read (see partReads); returns the number of rows inserted. Reads
 * smaller than a row group go in with insertion order kept: without it, DuckDB leaves every statement's
 * rows in a row group of their own, held in memory until the commit, and a few hundred small statements
 * into a wide table exhaust the load's memory limit. Larger reads go in without it, on every thread, at
 * about half the cost. The order of the rows is not promised either way.
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
  for (const { reads, ordered } of insertionBatches(parts)) {
    total += await withInsertionOrder(wh, ordered, async () => {
      let rows = 0;
      for (const read of reads) rows += await insertRead(wh, dir, source, table, read, insert);
      return rows;
    });
  }
  return total;
}

/** Consecutive reads, grouped by whether they are smaller than a row group (see insertParts). */
function insertionBatches(parts: readonly PackagePart[]): { reads: PartRead[]; ordered: boolean }[] {
  const batches: { reads: PartRead[]; ordered: boolean }[] = [];
  for (const read of partReads(parts)) {
    const ordered = rowCount(read.parts) < ROW_GROUP_ROWS;
    const last = batches[batches.length - 1];
    if (last && last.ordered === ordered) last.reads.push(read);
    else batches.push({ reads: [read], ordered });
  }
  return batches;
}

async function insertRead(
  wh: Warehouse,
  dir: string,
  source: string,
  table: TableSchema,
  read: PartRead,
  insert: PartInsert,
): Promise<number> {
  const files = await readFiles(dir, source, table.name, read);
  const names = columnList(partColumnNames(read.layout));
  const where = insert.where ? ` WHERE ${insert.where}` : '';
  const sql = `INSERT INTO ${insert.target} (${names}) SELECT ${names} FROM (${readSelect(table, read, files)}) AS p${where}`;
  try {
    return await exec(wh, sql);
  } catch (err) {
    const { part, message } = failure(err, read.parts, files);
    const what = part?.file ?? `${read.parts[0].file} … ${read.parts[read.parts.length - 1].file}`;
    throw new SluiceError(`cannot load ${what} into "${source}"."${table.name}": ${describeCsvError(message, partColumns(table, read.layout))}`);
  } finally {
    files.remove();
  }
}

/** `SELECT` of a read's rows from its files: every column of its layout by its real name, constants as typed literals. */
export function readSelect(table: TableSchema, read: PartRead, files: ReadFiles): string {
  const columns = partColumns(table, read.layout);
  const constants = partConstants(table, read.layout);
  const items = [...csvSelectList(columns), ...constants.map(({ column, value }) => constantSelectItem(column, value))];
  return `SELECT ${items.join(', ')} FROM ${readCsvCall(files.files, columns, maxLineBytes(read.parts), read.padded)}`;
}

/** The part a failed read's error is about, if it can tell, and the error as it applies to that part's file. */
function failure(err: unknown, parts: readonly PackagePart[], files: ReadFiles): { part?: PackagePart; message: string } {
  const message = err instanceof Error ? err.message : String(err);
  if (parts.length === 1) return { part: parts[0], message };
  if (!files.joined) {
    // read_csv's detail lists `file = <path>`.
    const named = /^\s*file = (.+)$/m.exec(message)?.[1].trim();
    const index = named === undefined ? -1 : files.files.findIndex((file) => path.resolve(file) === named);
    return { part: parts[index], message };
  }
  // DuckDB numbers rows, not the newlines inside quoted values: a joined file's row N is the parts' row N.
  const line = /CSV Error on Line: (\d+)/.exec(message);
  if (!line) return { message };
  let row = Number(line[1]);
  for (const part of parts) {
    if (row <= part.rows) return { part, message: message.replace(line[0], `CSV Error on Line: ${row}`) };
    row -= part.rows;
  }
  return { message };
}

/** A constant column's value as a typed SQL literal (the value is quoted, never pasted). */
function constantSelectItem(column: ColumnSchema, value: string): string {
  return `CAST(${quoteLiteral(value)} AS ${duckdbType(column.dataType)}) AS ${quoteIdent(column.name)}`;
}

/** The recorded bound on the longest line of the parts' files, if every part has one. */
function maxLineBytes(parts: readonly PackagePart[]): number | undefined {
  let max = 0;
  for (const part of parts) {
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
function describeCsvError(message: string, columns: readonly ColumnSchema[]): string {
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  // DuckDB quotes the offending line as it is in the file: shown with '"' as the quote character.
  const detail = printable(lines.slice(0, 3).join(' ').replaceAll(QUOTE, '"')).replace(/column "f(\d+)"/g, (whole, index: string) => {
    const column = columns[Number(index)];
    return column ? `column ${JSON.stringify(column.name)}` : whole;
  });
  return detail.length > 0 ? detail.slice(0, 500) : firstLine(message);
}
