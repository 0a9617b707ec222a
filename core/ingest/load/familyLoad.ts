// What every write disposition needs to load one table family: where the package is, the target tables
// with their physical columns, the parts of each table, and the running row counts.

import { SluiceError } from '../../errors';
import type { TableSchema } from '../../schema/types';
import type { Warehouse } from '../../warehouse/connection';
import { qualified } from '../../warehouse/quote';
import type { PackageManifest, PackagePart } from '../package';
import type { PhysicalColumns } from './ddl';
import { insertParts, type PartInsert } from './parts';
import { exec } from './sql';
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

  /** Inserts every part of a table (optionally filtered / into another target) and counts the rows. */
  insertParts(table: TableSchema, insert?: Partial<PartInsert>): Promise<number> {
    const into: PartInsert = { target: insert?.target ?? this.target(table), where: insert?.where };
    return insertParts(this.wh, this.dir, this.source, table, this.parts(table), into);
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
