// Reads what a load left in the warehouse: the source's latest stored schema and every row of its tables,
// with each cell fetched in a form that compares exactly with the input (instants as epoch microseconds,
// dates and decimals as text, JSON as text). Also checks that DuckDB's catalog matches the stored schema.
import { DuckDBInstance } from '@duckdb/node-api';
import type { DataType, SourceSchema, TableSchema } from '../../../core/schema/types';
import { qualified, quoteIdent } from '../../../core/warehouse/quote';

/** A cell as read back: `type` is its column's data type ('json-value': a value inside a JSON column's text). */
export interface Cell {
  type: DataType | 'json-value';
  value: unknown;
  column: string;
}

export interface TableRows {
  schema: TableSchema;
  /** `_sluice_id` as text (ids may be text for scd2 tables). */
  ids: string[];
  parentIds: (string | null)[];
  listIdx: (number | null)[];
  /** Per row, the non-null data cells. */
  cells: Cell[][];
  /** Per row, the JSON text of the fields kept in the table's overflow column (null: none). */
  overflow: (string | null)[];
}

/** A table's JSON column for fields beyond its column limit: an object of those fields under their paths in the row. */
export const OVERFLOW_COLUMN = '_sluice_overflow';

export interface WarehouseSnapshot {
  schema: SourceSchema;
  tables: Map<string, TableRows>;
  /** Mismatches between DuckDB's catalog and the stored schema. */
  catalogProblems: string[];
}

/** How DuckDB's information_schema names the type each logical type is stored as. */
const CATALOG_TYPE: Record<DataType, string> = {
  text: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMP WITH TIME ZONE',
  date: 'DATE',
  decimal: 'DECIMAL(38,9)',
  json: 'JSON',
  binary: 'BLOB',
};

/** The select expression that reads a column of this type in its comparable form. */
function readExpression(column: string, type: DataType): string {
  const c = quoteIdent(column);
  switch (type) {
    case 'timestamp': return `epoch_us(${c})`;
    case 'date':
    case 'decimal':
    case 'json': return `CAST(${c} AS VARCHAR)`;
    case 'binary': return `hex(${c})`;
    default: return c;
  }
}

type Query = (sql: string, params?: string[]) => Promise<unknown[][]>;

async function withReadOnly<T>(dbFile: string, fn: (q: Query) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(dbFile, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return await fn(async (sql, params) => (await connection.runAndReadAll(sql, params)).getRows() as unknown[][]);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function latestSchema(q: Query, source: string): Promise<SourceSchema | undefined> {
  const system = await q(`SELECT 1 FROM information_schema.tables WHERE table_schema = '_sluice' AND table_name = 'schemas'`);
  if (system.length === 0) return undefined;
  const rows = await q(
    `SELECT CAST("schema" AS VARCHAR) FROM _sluice.schemas WHERE "source" = $1 ORDER BY created_at DESC, version DESC LIMIT 1`,
    [source],
  );
  return rows.length > 0 ? (JSON.parse(rows[0][0] as string) as SourceSchema) : undefined;
}

/** The source's latest stored schema, or undefined before its first load. */
export function readStoredSchema(dbFile: string, source: string): Promise<SourceSchema | undefined> {
  return withReadOnly(dbFile, (q) => latestSchema(q, source));
}

export function readSnapshot(dbFile: string, source: string): Promise<WarehouseSnapshot> {
  return withReadOnly(dbFile, async (q) => {
    const schema = await latestSchema(q, source);
    if (!schema) throw new Error(`no stored schema for source ${source}`);
    const catalogProblems = await compareCatalog(q, schema);
    const tables = new Map<string, TableRows>();
    for (const table of schema.tables) tables.set(table.name, await readTable(q, source, table));
    return { schema, tables, catalogProblems };
  });
}

async function readTable(q: Query, source: string, table: TableSchema): Promise<TableRows> {
  const data = table.columns.filter((c) => !c.name.startsWith('_sluice_'));
  const child = table.parent !== undefined;
  const overflow = table.columns.some((c) => c.name === OVERFLOW_COLUMN);
  const select = [
    'CAST(_sluice_id AS VARCHAR)',
    child ? 'CAST(_sluice_parent_id AS VARCHAR)' : 'NULL',
    child ? 'CAST(_sluice_list_idx AS BIGINT)' : 'NULL',
    overflow ? `CAST(${quoteIdent(OVERFLOW_COLUMN)} AS VARCHAR)` : 'NULL',
    ...data.map((c) => readExpression(c.name, c.dataType)),
  ];
  const rows = await q(`SELECT ${select.join(', ')} FROM ${qualified(source, table.name)}`);
  const out: TableRows = { schema: table, ids: [], parentIds: [], listIdx: [], cells: [], overflow: [] };
  for (const row of rows) {
    out.ids.push(row[0] as string);
    out.parentIds.push(row[1] as string | null);
    out.listIdx.push(row[2] === null ? null : Number(row[2]));
    out.overflow.push(row[3] as string | null);
    const cells: Cell[] = [];
    data.forEach((c, i) => {
      const value = row[i + 4];
      if (value !== null) cells.push({ type: c.dataType, value: fromDuckdb(value), column: c.name });
    });
    out.cells.push(cells);
  }
  return out;
}

/** BIGINT cells come back as bigint; small ones are easier to compare and print as numbers. */
function fromDuckdb(value: unknown): unknown {
  if (typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  return value;
}

/** Every stored table exists with exactly the stored columns and types, and the source has no other table. */
async function compareCatalog(q: Query, schema: SourceSchema): Promise<string[]> {
  const rows = await q(
    `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_catalog = current_database()`,
    [schema.name],
  );
  const catalog = new Map<string, Map<string, string>>();
  for (const [table, column, type] of rows as string[][]) {
    if (!catalog.has(table)) catalog.set(table, new Map());
    catalog.get(table)!.set(column, type);
  }
  const problems: string[] = [];
  for (const table of schema.tables) {
    const columns = catalog.get(table.name);
    if (!columns) {
      problems.push(`table ${table.name} is in the stored schema but not in the warehouse`);
      continue;
    }
    for (const column of table.columns) {
      const actual = columns.get(column.name);
      const expected = CATALOG_TYPE[column.dataType];
      if (actual === undefined) problems.push(`column ${table.name}.${column.name} is in the stored schema but not in the warehouse`);
      else if (actual !== expected) problems.push(`column ${table.name}.${column.name} is ${column.dataType} in the stored schema but ${actual} in the warehouse`);
      columns.delete(column.name);
    }
    for (const extra of columns.keys()) problems.push(`column ${table.name}.${extra} is in the warehouse but not in the stored schema`);
    catalog.delete(table.name);
  }
  for (const extra of catalog.keys()) problems.push(`table ${extra} is in the warehouse but not in the stored schema`);
  return problems;
}
