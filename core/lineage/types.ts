// Column-level lineage of one SELECT: which base-table columns flow into each output column, and
// which only decide which rows come out.

import type { SqlDiagnostic } from '../sql/diagnostic';

/** A table name as `schema.table`, lower-case. */
export type QualifiedName = string;

/** Where the columns of base tables come from: the warehouse, other models, source schemas. */
export interface Catalog {
  /** Column names of a table in declaration order, or undefined when the table is unknown. */
  columns(table: QualifiedName): string[] | undefined;
}

export interface ColumnRef {
  /** `schema.table`, lower-case. */
  table: QualifiedName;
  column: string;
}

export interface ColumnLineage {
  /** Output column name, lower-case. */
  column: string;
  /** Base-table columns whose values flow into this column. */
  sources: ColumnRef[];
  /** Base-table columns that only decide which rows (or groups) this column is computed over. */
  filters: ColumnRef[];
}

export interface QueryLineage {
  /** Output columns in order. */
  columns: ColumnLineage[];
  /** Every base table the query reads, sorted (CTE names are not tables). */
  tables: QualifiedName[];
  /** Parse errors, unknown tables, unresolvable or ambiguous columns. */
  diagnostics: SqlDiagnostic[];
}

export interface AnalyzeOptions {
  /** Schema for tables named without one. Default `main`. */
  defaultSchema?: string;
}
