import { Normalizer, type NormalizerOptions } from '../../core/ingest/normalize';
import type { Row } from '../../core/ingest/package';
import type { Item, ResourceDef } from '../../core/ingest/types';
import type { ColumnSchema, SourceSchema, TableSchema } from '../../core/schema/types';

export interface Run {
  normalizer: Normalizer;
  rows: Map<string, Row[]>;
  schema: SourceSchema;
}

/** Normalizes items of one resource (default name 'r') in one batch. */
export function run(
  items: Item[],
  resource: Partial<ResourceDef> = {},
  options: { previous?: SourceSchema; contract?: NormalizerOptions['contract']; loadId?: string; firstRowId?: number } = {},
): Run {
  const def: ResourceDef = { name: 'r', ...resource };
  const normalizer = new Normalizer('src', options.previous, [def], {
    loadId: options.loadId ?? 'load-1',
    contract: options.contract,
    firstRowId: options.firstRowId,
  });
  const rows = normalizer.normalize(def.name, items);
  return { normalizer, rows, schema: normalizer.schema() };
}

export function table(schema: SourceSchema, name: string): TableSchema {
  const t = schema.tables.find((x) => x.name === name);
  if (!t) throw new Error(`no table ${name} in ${schema.tables.map((x) => x.name).join(', ')}`);
  return t;
}

export function column(schema: SourceSchema, tableName: string, name: string): ColumnSchema {
  const c = table(schema, tableName).columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name} in ${tableName}`);
  return c;
}

export function columnNames(schema: SourceSchema, tableName: string, withSystem = false): string[] {
  return table(schema, tableName).columns.map((c) => c.name).filter((n) => withSystem || !n.startsWith('_sluice_'));
}

/** Data cells of a row (system columns left out). */
export function data(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) if (!k.startsWith('_sluice_')) out[k] = v;
  return out;
}

export function rowsOf(r: Run, tableName: string): Row[] {
  return r.rows.get(tableName) ?? [];
}
