// What the Warehouse view shows, read from the DuckDB file read-only: the file is opened for the query and
// closed at once, so nothing here keeps the CLI (or a DuckDB client) out. Schemas come grouped (the
// project's own first, Sluice's machinery after), tables with their row counts and what builds them.

import fs from 'node:fs';
import { describeError } from '../../core/errors';
import { physicalSchema, physicalTable, PROD } from '../../core/plan/names';
import { readEnvironments } from '../../core/plan/state';
import type { EnvironmentRecord } from '../../core/plan/types';
import type { WarehouseCatalog, WarehouseSchema, WarehouseTable } from '../../core/protocol';
import { withWarehouse, type Warehouse } from '../../core/warehouse/connection';
import type { WarehouseGate } from './gate';
import type { OriginLookup } from './origins';
import { tableRowCounts, type RowCount } from './rowCounts';
import { classifySchema, compareSchemas, type SchemaClass } from './schemaGroups';

interface CatalogRows {
  relations: { s: string; t: string; kind: 'table' | 'view' }[];
  counts: Map<string, RowCount>;
  columns: { s: string; t: string; c: string; type: string }[];
  environments: EnvironmentRecord[];
}

export interface CatalogOptions {
  /** Environments to recognise besides those recorded in the warehouse (the editor's). */
  environments?: string[];
  origins?: OriginLookup;
}

export async function readCatalog(gate: WarehouseGate, warehouse: string, options: CatalogOptions = {}): Promise<WarehouseCatalog.Result> {
  const result: WarehouseCatalog.Result = { warehouse, exists: fs.existsSync(warehouse), schemas: [] };
  if (!result.exists) return result;
  let read: CatalogRows;
  try {
    read = await gate.read(warehouse, () => withWarehouse(warehouse, readRows, { readOnly: true }));
  } catch (err) {
    result.error = describeError(err);
    return result;
  }
  const envNames = new Set([...read.environments.map((e) => e.name), ...(options.environments ?? [])]);
  const schemas = new Map<string, { cls: SchemaClass; tables: Map<string, WarehouseTable> }>();
  for (const r of read.relations) {
    let schema = schemas.get(r.s);
    if (!schema) schemas.set(r.s, (schema = { cls: classifySchema(r.s, envNames), tables: new Map() }));
    const table: WarehouseTable = { name: r.t, kind: r.kind, columns: [] };
    const count = r.kind === 'table' ? read.counts.get(`${r.s}.${r.t}`.toLowerCase()) : viewRows(r.s, r.t, schema.cls, read.environments, read.counts);
    if (count) {
      table.rows = count.rows;
      if (count.estimated) table.rowsEstimated = true;
    }
    schema.tables.set(r.t, table);
  }
  for (const c of read.columns) schemas.get(c.s)?.tables.get(c.t)?.columns.push({ name: c.c, type: c.type });
  for (const [name, { cls, tables }] of schemas) {
    const out: WarehouseSchema = { name, role: cls.role, tables: [...tables.values()] };
    if (cls.environment) out.environment = cls.environment;
    if (options.origins) {
      for (const table of out.tables) {
        const found = await options.origins.of(name, table.name, cls);
        if (found.origin) table.origin = found.origin;
        if (found.lineage) table.lineage = found.lineage;
      }
    }
    result.schemas.push(out);
  }
  result.schemas.sort(compareSchemas);
  return result;
}

async function readRows(wh: Warehouse): Promise<CatalogRows> {
  const relations = await wh.json<{ s: string; t: string; kind: 'table' | 'view' }>(
    `SELECT schema_name AS s, table_name AS t, 'table' AS kind FROM duckdb_tables()
       WHERE database_name = current_database()
     UNION ALL
     SELECT schema_name, view_name, 'view' FROM duckdb_views()
       WHERE database_name = current_database() AND NOT internal
     ORDER BY s, t`,
  );
  const columns = await wh.json<{ s: string; t: string; c: string; type: string }>(
    `SELECT table_schema AS s, table_name AS t, column_name AS c, data_type AS type FROM information_schema.columns
     WHERE table_catalog = current_database() ORDER BY table_schema, table_name, ordinal_position`,
  );
  return { relations, columns, counts: await tableRowCounts(wh), environments: await readEnvironments(wh) };
}

/** A model's view counts the rows of the physical table it shows (in prod for user schemas). */
function viewRows(schema: string, view: string, cls: SchemaClass, environments: readonly EnvironmentRecord[], counts: Map<string, RowCount>): RowCount | undefined {
  if (cls.role !== 'user' && cls.role !== 'environment') return undefined;
  const env = cls.role === 'environment' ? cls.environment : PROD;
  const key = `${cls.base ?? schema}.${view}`.toLowerCase();
  const entry = environments.find((e) => e.name === env)?.snapshots.find((s) => s.name === key);
  return entry ? counts.get(`${physicalSchema(key)}.${physicalTable(key, entry.version)}`.toLowerCase()) : undefined;
}
