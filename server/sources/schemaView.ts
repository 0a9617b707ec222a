// sluice/sourceSchemas: what the Schemas view shows per source. Tables and columns as inferred come from
// schemas/<source>.schema.yaml (what is reviewed in git), else from the warehouse's latest stored schema;
// the warehouse adds the DuckDB types, row counts, and the schema changes of recent loads, found
// by comparing the schema versions it keeps with the load that made each (_sluice.schemas).

import { promises as fs } from 'node:fs';
import fsSync from 'node:fs';
import * as path from 'node:path';
import { describeError } from '../../core/errors';
import { diffSchemas } from '../../core/schema/diff';
import { parseSchemaYaml } from '../../core/schema/read';
import type { SchemaChange, SourceSchema } from '../../core/schema/types';
import type { ProjectInfo, SchemaChangeInfo, SchemaColumnInfo, SchemaTableInfo, SourceSchemaInfo, SourceSchemas } from '../../core/protocol';
import { withWarehouse, type Warehouse } from '../../core/warehouse/connection';
import { listLoads, SCHEMAS_TABLE, systemTableExists } from '../../core/warehouse/system';
import type { WarehouseGate } from '../warehouse/gate';
import { tableRowCounts, type RowCount } from '../warehouse/rowCounts';
import type { ProjectIndex } from '../workspace/projects';
import { sourceModules } from './sourceFiles';

/** Schema versions compared per source: the changes of the last few that changed something. */
const VERSIONS_READ = 6;
const LOADS_READ = 200;

export interface SchemaViewDeps {
  index: ProjectIndex;
  gate: WarehouseGate;
}

export interface StoredVersion {
  version: number;
  schema: SourceSchema;
  loadId: string | null;
  at: string;
}

interface WarehouseFacts {
  versions: Map<string, StoredVersion[]>;
  /** The latest successful load per source. */
  lastLoaded: Map<string, string>;
  /** `schema.table` → column → DuckDB type. */
  types: Map<string, Map<string, string>>;
  rows: Map<string, RowCount>;
}

export async function sourceSchemas(deps: SchemaViewDeps, params: SourceSchemas.Params): Promise<SourceSchemas.Result> {
  const projects: SourceSchemas.Result['projects'] = [];
  for (const entry of await deps.index.select(params.projectDir)) projects.push({ project: entry.info, sources: await projectSchemas(deps.gate, entry.info) });
  return { projects };
}

async function projectSchemas(gate: WarehouseGate, info: ProjectInfo): Promise<SourceSchemaInfo[]> {
  const schemaDir = path.join(info.dir, 'schemas');
  const files = new Map<string, string>();
  for (const name of await fs.readdir(schemaDir).catch(() => [] as string[])) {
    if (name.toLowerCase().endsWith('.schema.yaml')) files.set(name.slice(0, -'.schema.yaml'.length).toLowerCase(), path.join(schemaDir, name));
  }
  const names = new Set([...(await sourceModules(info.dir)).map((m) => m.name.toLowerCase()), ...files.keys()]);
  let facts: WarehouseFacts | undefined;
  let warehouseError: string | undefined;
  if (fsSync.existsSync(info.warehouse)) {
    try {
      facts = await gate.read(info.warehouse, () => withWarehouse(info.warehouse, readFacts, { readOnly: true }));
    } catch (err) {
      warehouseError = `could not read the warehouse: ${describeError(err)}`;
    }
  }
  const out: SourceSchemaInfo[] = [];
  for (const source of [...names].sort()) {
    const info: SourceSchemaInfo = { source, from: 'none', tables: [], changes: [] };
    const file = files.get(source);
    let schema: SourceSchema | undefined;
    let text: string | undefined;
    if (file) {
      info.schemaFile = file;
      try {
        text = await fs.readFile(file, 'utf8');
        schema = parseSchemaYaml(text, file);
        info.from = 'file';
      } catch (err) {
        info.error = describeError(err);
      }
    }
    const versions = facts?.versions.get(source) ?? [];
    if (!schema && versions.length > 0) {
      schema = versions[0].schema;
      info.from = 'warehouse';
    }
    if (warehouseError) info.error ??= warehouseError;
    info.changes = recentChanges(versions, facts?.lastLoaded.get(source));
    if (schema) {
      info.version = schema.version;
      info.tables = schema.tables.map((t) => tableInfo(source, t, info.changes, facts, file && text !== undefined ? { file, text } : undefined));
    }
    out.push(info);
  }
  return out;
}

/** The changes each recent version made (newest first); the oldest version read only serves as a baseline. */
export function recentChanges(versions: readonly StoredVersion[], lastLoaded: string | undefined): SchemaChangeInfo[] {
  const out: SchemaChangeInfo[] = [];
  for (let i = 0; i + 1 < versions.length; i++) {
    const after = versions[i];
    for (const change of diffSchemas(versions[i + 1].schema, after.schema)) {
      out.push({ ...changeFields(change), loadId: after.loadId, at: after.at, version: after.version, lastLoad: after.loadId !== null && after.loadId === lastLoaded });
    }
  }
  return out;
}

function changeFields(change: SchemaChange): Pick<SchemaChangeInfo, 'kind' | 'table' | 'column' | 'dataType' | 'from' | 'variantOf'> {
  switch (change.kind) {
    case 'table_added':
      return { kind: change.kind, table: change.table };
    case 'column_added':
      return { kind: change.kind, table: change.table, column: change.column, dataType: change.dataType };
    case 'variant_added':
      return { kind: change.kind, table: change.table, column: change.column, dataType: change.dataType, variantOf: change.variantOf };
    case 'type_widened':
      return { kind: change.kind, table: change.table, column: change.column, dataType: change.dataType, from: change.from };
  }
}

function tableInfo(
  source: string,
  table: SourceSchema['tables'][number],
  changes: readonly SchemaChangeInfo[],
  facts: WarehouseFacts | undefined,
  schemaFile: { file: string; text: string } | undefined,
): SchemaTableInfo {
  const types = facts?.types.get(`${source}.${table.name}`.toLowerCase());
  const info: SchemaTableInfo = {
    name: table.name,
    resource: table.resource,
    writeDisposition: table.writeDisposition,
    columns: table.columns.map((c) => {
      const column: SchemaColumnInfo = { name: c.name, dataType: c.dataType, nullable: c.nullable };
      const type = types?.get(c.name.toLowerCase());
      if (type) column.warehouseType = type;
      if (c.primaryKey) column.primaryKey = true;
      if (c.variantOf) column.variantOf = c.variantOf;
      if (c.path) column.field = c.path.join('.');
      // Changes are newest first: the first one found is the newest.
      const change = changes.find((x) => x.table === table.name && x.column === c.name);
      if (change) column.change = change;
      return column;
    }),
  };
  if (table.parent) info.parent = table.parent;
  const count = facts?.rows.get(`${source}.${table.name}`.toLowerCase());
  if (count) {
    info.rows = count.rows;
    if (count.estimated) info.rowsEstimated = true;
  }
  const added = changes.find((x) => x.kind === 'table_added' && x.table === table.name);
  if (added) info.change = added;
  if (schemaFile) info.location = { file: schemaFile.file, line: tableLine(schemaFile.text, table.name), character: 2 };
  return info;
}

/** The line of a table's key under `tables:` in a schema file (0 when it cannot be found). */
function tableLine(text: string, table: string): number {
  const lines = text.split(/\r?\n/);
  const found = lines.findIndex((l) => l === `  ${table}:` || l === `  "${table}":` || l === `  '${table}':`);
  return Math.max(0, found);
}

async function readFacts(wh: Warehouse): Promise<WarehouseFacts> {
  const versions = new Map<string, StoredVersion[]>();
  if (await systemTableExists(wh, 'schemas')) {
    const rows = await wh.json<{ source: string; version: number; schema: string; load_id: string | null; ms: number | string }>(
      `SELECT "source", "version", CAST("schema" AS VARCHAR) AS "schema", "load_id", epoch_ms("created_at") AS ms FROM ${SCHEMAS_TABLE}
       QUALIFY row_number() OVER (PARTITION BY "source" ORDER BY "created_at" DESC, "version" DESC) <= ${VERSIONS_READ}
       ORDER BY "source", "created_at" DESC, "version" DESC`,
    );
    for (const r of rows) {
      const key = r.source.toLowerCase();
      const list = versions.get(key) ?? [];
      list.push({ version: Number(r.version), schema: JSON.parse(r.schema) as SourceSchema, loadId: r.load_id, at: new Date(Number(r.ms)).toISOString() });
      versions.set(key, list);
    }
  }
  const lastLoaded = new Map<string, string>();
  for (const load of await listLoads(wh, { limit: LOADS_READ })) {
    const key = load.source.toLowerCase();
    if (load.status === 'loaded' && !lastLoaded.has(key)) lastLoaded.set(key, load.loadId);
  }
  const types = new Map<string, Map<string, string>>();
  for (const c of await wh.json<{ s: string; t: string; c: string; type: string }>(
    `SELECT table_schema AS s, table_name AS t, column_name AS c, data_type AS type FROM information_schema.columns
     WHERE table_catalog = current_database() ORDER BY table_schema, table_name, ordinal_position`,
  )) {
    const key = `${c.s}.${c.t}`.toLowerCase();
    const map = types.get(key) ?? new Map<string, string>();
    map.set(c.c.toLowerCase(), c.type);
    types.set(key, map);
  }
  const rows = await tableRowCounts(wh);
  return { versions, lastLoaded, types, rows };
}
