// The shapes of query results, shared by the CLI's JSON, the language server's messages and the result grid.
// Plain data only (core/protocol.ts imports these types).

/** A value as JSON carries it: SQL NULL is null (never ''), lists and structs stay arrays and objects. */
export type QueryValue = null | boolean | number | string | QueryValue[] | { [key: string]: QueryValue };

export interface QueryColumn {
  name: string;
  /** DuckDB's type, as DESCRIBE prints it (INTEGER, DECIMAL(18,3), STRUCT(a INTEGER), JSON, ...). */
  type: string;
}

/** What `sluice query --json` prints. */
export interface QueryResultJson {
  columns: QueryColumn[];
  rows: QueryValue[][];
  /** Rows in `rows`. */
  row_count: number;
  /** More rows exist than the limit let through. */
  truncated: boolean;
  elapsed_ms: number;
}

/** A place in a file, 1-based, for errors of a model's query. */
export interface QuerySourcePosition {
  file: string;
  line: number;
  column: number;
}

/** How the warehouse was read: opened read-only, or a private copy (see docs/query.md). */
export type QueryAccess = 'read-only' | 'snapshot';
