// What every write disposition needs to load one table family: where the package is, the target tables
// with their physical columns, the parts of each table, and the running row counts.

import { SluiceError } from '../../errors';
import type { TableSchema } from '../../schema/types';
import type { Warehouse } from '../../warehouse/connection';
import { qualified } from '../../warehouse/quote';
import { layoutRuns, type PackageManifest, type PackagePart } from '../package';
import type { PhysicalColumns } from './ddl';
import { insertParts, type PartInsert } from './parts';
import { exec, withInsertionOrder } from './sql';
import type { TableFamily } from './tableFamilies';

export class FamilyLoad {
  constructor(
    readonly wh: Warehouse,
    readonly dir: string,
    readonly manifest: PackageManifest,
    readonly family: TableFamily,
    private readonly physical: PhysicalColumns,
    /** Rows inserted per table; shared by all families of the load. */
    readonly rows: Record<string, number>,
    /** The load time as an ISO string: scd2 validity bounds. */
    readonly loadTime: string,
    /** Tables emptied already in this transaction (shared by all families of the load). */
    private readonly emptied: Set<string> = new Set(),
    /** Tables some of whose parts went in while the source ran (see LoadSession); the manifest lists only the rest. */
    private readonly loadedEarly: ReadonlySet<string> = new Set(),
  ) {}

  get source(): string {
    return this.manifest.source;
  }

  get root(): TableSchema {
    return this.family.root;
  }

  get tables(): TableSchema[] {
    return [this.family.root, ...this.family.children];
  }

  target(table: TableSchema): string {
    return qualified(this.source, table.name);
  }

  columns(table: TableSchema): string[] {
    const columns = this.physical.get(table.name);
    if (!columns) throw new Error(`table ${table.name} was not converged before loading`);
    return columns;
  }

  /** The physical name of a column, matched case-insensitively; undefined when the table lacks it. */
  column(table: TableSchema, name: string): string | undefined {
    const lower = name.toLowerCase();
    return this.columns(table).find((c) => c.toLowerCase() === lower);
  }

  requireColumn(table: TableSchema, name: string, why: string): string {
    const column = this.column(table, name);
    if (!column) throw new SluiceError(`table "${this.source}"."${table.name}" has no ${name} column, which ${why}`);
    return column;
  }

  parts(table: TableSchema): PackagePart[] {
    return this.manifest.tables[table.name]?.parts ?? [];
  }

  hasRows(table: TableSchema): boolean {
    return this.parts(table).some((p) => p.rows > 0);
  }

  /** Whether some of the table's rows of this load are in the target already. */
  hasEarlyRows(table: TableSchema): boolean {
    return this.loadedEarly.has(table.name);
  }

  /**
   * Inserts every part of a table (optionally filtered / into another target) and counts the rows. Runs
   * of parts smaller than a row group go in with insertion order kept: without it, DuckDB leaves every
   * statement's rows in a row group of their own, held in memory until the commit, and a few hundred
   * small runs of a wide table exhaust the load's memory limit. Large runs go in without it, on every
   * thread, at about half the cost.
   */
  async insertParts(table: TableSchema, insert?: Partial<PartInsert>): Promise<number> {
    const into: PartInsert = { target: insert?.target ?? this.target(table), where: insert?.where };
    let rows = 0;
    for (const { parts, ordered } of insertionBatches(this.parts(table))) {
      rows += await withInsertionOrder(this.wh, ordered, () => insertParts(this.wh, this.dir, this.source, table, parts, into));
    }
    return rows;
  }

  /** Deletes the table's rows, once per load: for replace and --full-refresh, before any row of this load goes in. */
  empty(table: TableSchema): Promise<void> {
    return emptyOnce(this.wh, this.source, table.name, this.emptied);
  }

  count(table: TableSchema, rows: number): void {
    this.rows[table.name] = (this.rows[table.name] ?? 0) + rows;
  }
}

/**
 * Deletes a table's rows, once per load (`emptied` remembers): for replace and --full-refresh, before any
 * row of this load goes in, whether that happens while the source runs or at the end.
 */
export async function emptyOnce(wh: Warehouse, source: string, table: string, emptied: Set<string>): Promise<void> {
  if (emptied.has(table)) return;
  await exec(wh, `DELETE FROM ${qualified(source, table)}`);
  emptied.add(table);
}

/** DuckDB's row group: the rows one insert fills before it starts another. */
const ROW_GROUP_ROWS = 122_880;

/** Consecutive runs of parts, grouped by whether they are smaller than a row group (see FamilyLoad.insertParts). */
function insertionBatches(parts: readonly PackagePart[]): { parts: PackagePart[]; ordered: boolean }[] {
  const batches: { parts: PackagePart[]; ordered: boolean }[] = [];
  for (const run of layoutRuns(parts)) {
    const ordered = run.reduce((rows, part) => rows + part.rows, 0) < ROW_GROUP_ROWS;
    const last = batches[batches.length - 1];
    if (last && last.ordered === ordered) last.parts.push(...run);
    else batches.push({ parts: run, ordered });
  }
  return batches;
}

