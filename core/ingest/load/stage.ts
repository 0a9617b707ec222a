// Stages what a merge must know of the load's root rows before it touches the target: a few columns of
// each row (keys, row id), read from the part files in file order into a narrow scratch table. The rows
// themselves then go from the part files straight into the target, as an append's do. Copying whole rows
// through a scratch table in file order used to cost more than the rest of the load (1M rows of 35
// columns: 8-16 s to stage, against 3 s to insert the same rows without keeping their order).

import path from 'node:path';
import { SluiceError } from '../../errors';
import { duckdbType, type ColumnSchema, type TableSchema } from '../../schema/types';
import { quoteIdent, quoteLiteral } from '../../warehouse/quote';
import type { PackagePart } from '../package';
import { ROW_ID } from './columns';
import { csvSelectList, readCsvCall } from './csvRead';
import type { FamilyLoad } from './familyLoad';
import { layoutRuns } from '../package';
import { partColumns, partConstants } from './parts';
import { columnList, doing, exec, scratchTable, withInsertionOrder } from './sql';

const STAGE = '__sluice_stage';
const DROPPED = '__sluice_dropped';
/** read_csv calls per staging statement: enough to make statements few, few enough to keep each one's SQL small. */
const RUNS_PER_STATEMENT = 64;

export interface StagedRoots {
  /** Scratch table with the staged columns of the load's root rows; after de-duplication, the last row of each key only. */
  stage: string;
  /**
   * Scratch table whose `id` column holds the row ids of the rows de-duplication dropped (the earlier
   * rows of a repeated key); undefined when no key repeats.
   */
  dropped: string | undefined;
}

/**
 * Stages `columns` of every root row of the load in file order. With `dedupe`, only the last row of each
 * key stays: `rowId` must then name a column whose values tell the rows apart, so that the rows dropped
 * can be left out when the part files are read again.
 */
export async function stageRoots(
  load: FamilyLoad,
  columns: readonly string[],
  dedupe?: { by: readonly string[]; rowId: string | undefined },
): Promise<StagedRoots> {
  const stage = scratchTable(STAGE);
  await exec(load.wh, `CREATE OR REPLACE TABLE ${stage} AS SELECT ${columnList(columns)} FROM ${load.target(load.root)} LIMIT 0`);
  // The de-duplication below reads file order from rowid: these inserts must keep it.
  await withInsertionOrder(load.wh, true, () => insertPartColumns(load, load.root, columns, stage));
  if (!dedupe || dedupe.by.length === 0) return { stage, dropped: undefined };
  return { stage, dropped: await keepLastRows(load, stage, dedupe.by, dedupe.rowId) };
}

export async function dropStaging(load: FamilyLoad): Promise<void> {
  await dropScratch(load, STAGE);
  await dropScratch(load, DROPPED);
}

export async function dropScratch(load: FamilyLoad, name: string): Promise<void> {
  await exec(load.wh, `DROP TABLE IF EXISTS ${scratchTable(name)}`);
}

/**
 * Deletes all but the last staged row of each key; returns the table of the dropped rows' ids, or
 * undefined when no key repeats (the usual case, which then needs no filter on the part files).
 */
async function keepLastRows(load: FamilyLoad, stage: string, keys: readonly string[], rowId: string | undefined): Promise<string | undefined> {
  const { wh } = load;
  const dropped = scratchTable(DROPPED);
  // rowid follows insertion order (DuckDB preserves it for INSERT ... SELECT), so the highest rowid per
  // key is the row that came last. The window only sees the key and rowid, and rowid is copied into a
  // plain column first: window functions over the rowid pseudo-column directly are not reliable in DuckDB.
  const seq = quoteIdent(unusedName('_sluice_seq', [...keys, rowId ?? '']));
  const id = rowId === undefined ? 'CAST(NULL AS BIGINT)' : quoteIdent(rowId);
  const earlier = `SELECT ${seq}, ${id} AS "id" FROM (SELECT *, rowid AS ${seq} FROM ${stage})
     QUALIFY row_number() OVER (PARTITION BY ${columnList(keys)} ORDER BY ${seq} DESC) > 1`;
  await exec(wh, `CREATE OR REPLACE TABLE ${dropped} AS SELECT rowid AS ${seq}, ${id} AS "id" FROM ${stage} LIMIT 0`);
  if ((await exec(wh, `INSERT INTO ${dropped} ${earlier}`)) === 0) return undefined;
  await requireDistinctRowIds(load, stage, rowId);
  await exec(wh, `DELETE FROM ${stage} WHERE rowid IN (SELECT ${seq} FROM ${dropped})`);
  return dropped;
}

/** The rows of a repeated key are told apart by their row ids when the part files are read again. */
async function requireDistinctRowIds(load: FamilyLoad, stage: string, rowId: string | undefined): Promise<void> {
  if (rowId !== undefined) {
    const [{ distinct }] = await load.wh.all<{ distinct: boolean }>(
      `SELECT count(DISTINCT ${quoteIdent(rowId)}) = count(*) AS "distinct" FROM ${stage}`,
    );
    if (distinct) return;
  }
  throw new SluiceError(
    `table "${load.source}"."${load.root.name}" gets several rows with the same primary key, and their ${ROW_ID} values ` +
      `are missing or repeat, so the last of them cannot be told apart from the others`,
  );
}

/**
 * Inserts some columns of a table's part files into `target`, in file order. Runs of parts with different
 * layouts need a read_csv call each; up to RUNS_PER_STATEMENT of them go in one statement (UNION ALL,
 * whose order DuckDB keeps while preserve_insertion_order is on), since a statement costs a few
 * milliseconds however few rows it reads, and a package of small parts can have thousands of runs.
 */
async function insertPartColumns(load: FamilyLoad, table: TableSchema, columns: readonly string[], target: string): Promise<void> {
  const runs = layoutRuns(load.parts(table));
  for (let first = 0; first < runs.length; first += RUNS_PER_STATEMENT) {
    const batch = runs.slice(first, first + RUNS_PER_STATEMENT);
    const selects = batch.map((run) => selectPartColumns(load, table, run, columns));
    const [firstFile, lastFile] = [batch[0][0].file, batch[batch.length - 1].at(-1)!.file];
    const files = firstFile === lastFile ? firstFile : `${firstFile} … ${lastFile}`;
    await doing(`cannot read ${columnList(columns)} of "${load.source}"."${table.name}" from ${files}`, () =>
      exec(load.wh, `INSERT INTO ${target} (${columnList(columns)}) ${selects.join(' UNION ALL ')}`),
    );
  }
}

/** `SELECT` of the given columns from a run of parts; a column the parts lack is NULL. */
function selectPartColumns(load: FamilyLoad, table: TableSchema, run: readonly PackagePart[], columns: readonly string[]): string {
  const fields = partColumns(table, run[0]);
  const constants = partConstants(table, run[0]);
  const items = [...csvSelectList(fields), ...constants.map(({ column, value }) => constantItem(column, value))];
  const present = new Set([...fields, ...constants.map((c) => c.column)].map((c) => c.name.toLowerCase()));
  const wanted = columns.map((name) => (present.has(name.toLowerCase()) ? quoteIdent(name) : 'NULL'));
  const files = run.map((part) => path.join(load.dir, part.file));
  return `SELECT ${wanted.join(', ')} FROM (SELECT ${items.join(', ')} FROM ${readCsvCall(files, fields, longestLine(run))}) AS p`;
}

/** A constant column as a typed literal (quoted, never pasted). */
function constantItem(column: ColumnSchema, value: string): string {
  return `CAST(${quoteLiteral(value)} AS ${duckdbType(column.dataType)}) AS ${quoteIdent(column.name)}`;
}

/** The recorded bound on the run's longest line; undefined (read_csv then assumes the file size) if a part has none. */
function longestLine(run: readonly PackagePart[]): number | undefined {
  const bounds = run.map((part) => part.maxLineBytes);
  return bounds.every((b): b is number => typeof b === 'number' && Number.isFinite(b)) ? Math.max(...bounds) : undefined;
}

function unusedName(base: string, taken: readonly string[]): string {
  const lower = new Set(taken.map((t) => t.toLowerCase()));
  let name = base;
  while (lower.has(name.toLowerCase())) name += '_';
  return name;
}
