// Hand-built schemas, rows and load packages for the load-stage tests (independent of the normalizer).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PackageWriter, writeManifest } from '../../core/ingest/load/packageWriter';
import { loadPackage, type LoadOutcome } from '../../core/ingest/load/loader';
import type { PackageManifest, ResourceState, Row } from '../../core/ingest/package';
import type { ColumnSchema, DataType, MergeStrategy, TableSchema, WriteDisposition } from '../../core/schema/types';
import { Warehouse } from '../../core/warehouse/connection';
import { qualified, quoteIdent } from '../../core/warehouse/quote';

export function col(name: string, dataType: DataType = 'text', extra: Partial<ColumnSchema> = {}): ColumnSchema {
  return { name, dataType, nullable: true, ...extra };
}

/** The bookkeeping columns a root table carries. */
export const rootIds = (): ColumnSchema[] => [col('_sluice_id'), col('_sluice_load_id')];
/** The bookkeeping columns a child table carries. */
export const childIds = (): ColumnSchema[] => [col('_sluice_id'), col('_sluice_parent_id'), col('_sluice_root_id'), col('_sluice_list_idx', 'bigint')];

export function table(
  name: string,
  columns: ColumnSchema[],
  options: { resource?: string; parent?: string; disposition?: WriteDisposition; strategy?: MergeStrategy } = {},
): TableSchema {
  return {
    name,
    resource: options.resource ?? name,
    parent: options.parent,
    writeDisposition: options.disposition ?? 'append',
    mergeStrategy: options.strategy,
    columns,
  };
}

export interface PackageSpec {
  source: string;
  tables: TableSchema[];
  rows: Record<string, Row[]>;
  resources?: string[];
  state?: Record<string, ResourceState>;
  fullRefresh?: boolean;
  version?: number;
  partRows?: number;
  loadId?: string;
  rowIds?: { first: number; next: number };
}

let loadSeq = 0;

/** A temp directory holding a warehouse file and load packages; remove() deletes all of it. */
export class Workspace {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-load-'));
  readonly warehousePath = path.join(this.root, 'warehouse.duckdb');
  private open: Warehouse[] = [];

  async warehouse(options?: { readOnly?: boolean }): Promise<Warehouse> {
    const wh = await Warehouse.open(this.warehousePath, options);
    this.open.push(wh);
    return wh;
  }

  /** Writes a package with PackageWriter and returns its directory and manifest. */
  makePackage(spec: PackageSpec): { dir: string; manifest: PackageManifest } {
    const loadId = spec.loadId ?? `load-${String(++loadSeq).padStart(4, '0')}`;
    const dir = path.join(this.root, 'packages', loadId);
    const writer = new PackageWriter(dir, { partRows: spec.partRows });
    for (const t of spec.tables) {
      const rows = spec.rows[t.name];
      if (rows) writer.write(t, rows);
    }
    const manifest: PackageManifest = {
      loadId,
      source: spec.source,
      createdAt: new Date().toISOString(),
      schema: { name: spec.source, version: spec.version ?? 1, tables: spec.tables },
      changes: [],
      resources: spec.resources ?? [...new Set(spec.tables.map((t) => t.resource))],
      state: spec.state ?? {},
      tables: writer.finish(),
      fullRefresh: spec.fullRefresh ?? false,
      ...(spec.rowIds ? { rowIds: spec.rowIds } : {}),
    };
    writeManifest(dir, manifest);
    return { dir, manifest };
  }

  async load(wh: Warehouse, spec: PackageSpec, startedAt = new Date()): Promise<LoadOutcome> {
    const { dir, manifest } = this.makePackage(spec);
    return loadPackage(wh, dir, manifest, startedAt);
  }

  remove(): void {
    for (const wh of this.open) {
      try {
        wh.close();
      } catch {
        // already closed
      }
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** Query rows with BIGINTs as plain numbers (test data stays far below 2^53). */
export async function query<T = Record<string, unknown>>(wh: Warehouse, sql: string, params?: string[]): Promise<T[]> {
  const rows = await wh.all(sql, params);
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? Number(v) : v;
    return out as T;
  });
}

/** All rows of source.table, ordered by the given columns. */
export async function rowsOf(wh: Warehouse, source: string, tableName: string, orderBy: string[], columns = '*'): Promise<Record<string, unknown>[]> {
  return query(wh, `SELECT ${columns} FROM ${qualified(source, tableName)} ORDER BY ${orderBy.map(quoteIdent).join(', ')}`);
}

export async function countOf(wh: Warehouse, source: string, tableName: string): Promise<number> {
  const [row] = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${qualified(source, tableName)}`);
  return Number(row.n);
}

export async function tableNames(wh: Warehouse, schema: string): Promise<string[]> {
  const rows = await wh.all<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
    [schema],
  );
  return rows.map((r) => r.table_name);
}

export async function columnNames(wh: Warehouse, schema: string, tableName: string): Promise<string[]> {
  const rows = await wh.all<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, tableName],
  );
  return rows.map((r) => r.column_name);
}
