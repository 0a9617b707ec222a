// What the model layer knows about a project: its models, the tables they read, how they depend on each
// other, and every problem found, with file positions. Plain data, so the language server can send it on.

import type { ColumnLineage } from '../lineage/types';
import type { ModelKindName, Position } from '../models/types';

export interface ProjectDiagnostic {
  /** Absolute path of the file the problem is in. */
  file: string;
  message: string;
  start: Position;
  end: Position;
  severity: 'error' | 'warning' | 'info';
  /** The model the problem belongs to (`schema.table`), when it belongs to one. */
  model?: string;
}

export interface ColumnInfo {
  /** Lower-case. */
  name: string;
  /** DuckDB type, when known. */
  type?: string;
}

/** Where a table the project reads comes from. */
export type TableKind = 'model' | 'external' | 'source';

export interface TableInfo {
  /** `schema.table`, lower-case. */
  key: string;
  kind: TableKind;
  /** Undefined when the columns are unknown (e.g. a model whose query does not parse). */
  columns?: ColumnInfo[];
  /** The file that declares the table (model file, external models file or source schema file). */
  file?: string;
}

/** A column of a table a source loaded: which resource and which field of its items it holds. */
export interface SourceColumnInfo extends ColumnInfo {
  /** Logical type as inferred (text, bigint, ...). */
  dataType: string;
  /** Field path in the source item, dot-joined (e.g. user.login); absent for _sluice_* columns. */
  field?: string;
}

export interface SourceTableInfo {
  /** Source name, which is also the DuckDB schema. */
  source: string;
  /** Table name inside the source schema, lower-case (e.g. issues__labels). */
  table: string;
  resource: string;
  /** Parent table for child tables of nested lists. */
  parent?: string;
  columns: SourceColumnInfo[];
  /** The schemas/<source>.schema.yaml file. */
  file: string;
}

export interface ProjectModel {
  /** `schema.table`, lower-case. */
  key: string;
  /** As written in the MODEL block. */
  name: string;
  file: string;
  kind: ModelKindName;
  /** Tables the query reads (models, external models, source tables), lower-case, sorted. Unknown tables are left out. */
  upstream: string[];
  /** Models reading this one, sorted. */
  downstream: string[];
  /** Output columns, in order. */
  columns: ColumnInfo[];
  /** One-hop lineage of each output column, in order (sources and filters are columns of upstream tables). */
  lineage: ColumnLineage[];
  description?: string;
}
