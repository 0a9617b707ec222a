// The schema model: what Sluice knows about the tables a source produces.
// It is plain data so that it can be stored in the warehouse, exported to YAML and diffed.

/** Logical data types that normalization infers. Each maps to one DuckDB type (see duckdbType). */
export type DataType =
  | 'text'
  | 'bigint'
  | 'double'
  | 'bool'
  | 'timestamp'
  | 'date'
  | 'decimal'
  | 'json'
  | 'binary';

export const DATA_TYPES: readonly DataType[] = [
  'text', 'bigint', 'double', 'bool', 'timestamp', 'date', 'decimal', 'json', 'binary',
];

export interface ColumnSchema {
  /** Normalized (snake_case) column name, as in the warehouse. */
  name: string;
  dataType: DataType;
  nullable: boolean;
  /** Part of the resource's primary key. */
  primaryKey?: boolean;
  mergeKey?: boolean;
  /** The field path in the source item this column comes from, e.g. ['user', 'login']. Absent for _sluice_* columns. */
  path?: string[];
  /** Set on variant columns (<col>__v_<type>): the column whose conflicting values they hold. */
  variantOf?: string;
  /** Set when the type came from a hint in the resource definition rather than inference. */
  hinted?: boolean;
  /** Decimal columns of known precision (a database column's numeric(p,s)): the warehouse column is DECIMAL(precision, scale). */
  precision?: number;
  scale?: number;
}

export type WriteDisposition = 'append' | 'replace' | 'merge';
export type MergeStrategy = 'delete-insert' | 'upsert' | 'scd2';

export interface TableSchema {
  /** Normalized table name without the source schema prefix, e.g. 'orders__items'. */
  name: string;
  /** The resource that produces this table (root tables and their children). */
  resource: string;
  /** Parent table for child tables (nested lists); absent for root tables. */
  parent?: string;
  /** Field path from the root item to the list this child table holds, e.g. ['labels']. */
  path?: string[];
  writeDisposition: WriteDisposition;
  mergeStrategy?: MergeStrategy;
  /** Columns in the order they were first seen. */
  columns: ColumnSchema[];
}

export interface SourceSchema {
  /** Source name; also the DuckDB schema its tables land in. */
  name: string;
  /** Incremented whenever tables or columns change. */
  version: number;
  tables: TableSchema[];
}

/** One change to a schema made while normalizing a load, reported by the CLI and stored with the load. */
export type SchemaChange =
  | { kind: 'table_added'; table: string; resource: string }
  | { kind: 'column_added'; table: string; column: string; dataType: DataType }
  | { kind: 'variant_added'; table: string; column: string; variantOf: string; dataType: DataType }
  /** A column's type widened in place (bigint → double when a fractional number arrived). */
  | { kind: 'type_widened'; table: string; column: string; from: DataType; dataType: DataType };

/** Decimals are staged as DECIMAL(38,9): 29 integer digits and 9 decimals. */
export const DECIMAL_SCALE = 9;
export const DECIMAL_INTEGER_DIGITS = 29;

/** Whether DECIMAL(precision, scale) values fit the staging DECIMAL(38,9) exactly. */
export function decimalFits(precision: number, scale = 0): boolean {
  return scale >= 0 && scale <= DECIMAL_SCALE && scale <= precision && precision - scale <= DECIMAL_INTEGER_DIGITS;
}

/** The DuckDB type of a column: its type's, or DECIMAL(p,s) for a decimal column of known precision. */
export function columnDuckdbType(column: Pick<ColumnSchema, 'dataType' | 'precision' | 'scale'>): string {
  if (column.dataType === 'decimal' && column.precision !== undefined) return `DECIMAL(${column.precision},${column.scale ?? 0})`;
  return duckdbType(column.dataType);
}

/** The DuckDB type each logical type is stored as. */
export function duckdbType(type: DataType): string {
  switch (type) {
    case 'text': return 'VARCHAR';
    case 'bigint': return 'BIGINT';
    case 'double': return 'DOUBLE';
    case 'bool': return 'BOOLEAN';
    case 'timestamp': return 'TIMESTAMPTZ';
    case 'date': return 'DATE';
    case 'decimal': return 'DECIMAL(38,9)';
    case 'json': return 'JSON';
    case 'binary': return 'BLOB';
  }
}
