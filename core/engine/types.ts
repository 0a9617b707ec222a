// What differs per engine. Plans, builds, swaps and Sluice's state are written once in core/plan; every
// statement whose SQL or semantics differ between engines (catalog queries, DDL that replaces objects,
// interval overwrites, merges, locking, the dialect models are rendered in) goes through an EngineAdapter.
// The SQL the plan code still writes itself (its state tables, parameters as $1, CREATE SCHEMA IF NOT
// EXISTS, transactions) is the subset DuckDB and PostgreSQL agree on.

import type { TargetDialect } from '../dialect/types';
import type { Params, Warehouse } from '../warehouse/connection';

export type EngineType = 'duckdb' | 'postgres';

/** A connection that runs SQL: what the plan code needs from any engine. */
export interface SqlSession {
  /** What the connection reaches (a file, or a server URL without its password): for messages and lock keys. */
  readonly path: string;
  run(sql: string, params?: Params | unknown[]): Promise<void>;
  /** Rows as plain objects (integers may come back as bigint or string: read them with Number()). */
  all<T = Record<string, unknown>>(sql: string, params?: Params | unknown[]): Promise<T[]>;
  /** Rows with JSON-friendly values. */
  json<T = Record<string, unknown>>(sql: string, params?: Params | unknown[]): Promise<T[]>;
  /** Runs fn inside one transaction: everything it does commits together or not at all. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  close(): void;
}

/** A table or view of the engine's catalog. */
export interface CatalogRelation {
  schema: string;
  name: string;
  type: 'table' | 'view';
}

export interface CatalogColumn {
  name: string;
  /** The engine's own type name. */
  type: string;
}

export interface Relation {
  schema: string;
  table: string;
}

/** One environment view: `schema.view` becomes `SELECT * FROM target`. */
export interface ViewDefinition {
  view: Relation;
  target: Relation;
}

export interface TimeColumn {
  name: string;
  /** strptime format when the column holds text. */
  format?: string;
}

export interface EngineAdapter extends SqlSession {
  readonly type: EngineType;
  /** The dialect model queries (written in DuckDB's) are rendered in before they run here. */
  readonly dialect: TargetDialect;
  /** Another connection to the same engine, for builds that run concurrently (their own transactions). */
  connect(): Promise<EngineAdapter>;

  // ---- catalog ----
  /** Every table and view outside the engine's own schemas; only those in schemas starting with `schemaPrefix` when given. */
  relations(schemaPrefix?: string): Promise<CatalogRelation[]>;
  /** Columns of a table or view in order; empty when it does not exist. */
  columns(relation: Relation): Promise<CatalogColumn[]>;

  // ---- DDL ----
  /** Creates the table from the query, or refills it when it exists (same version: same columns). */
  replaceTableAs(relation: Relation, query: string): Promise<void>;
  replaceView(relation: Relation, query: string): Promise<void>;
  /** replaceTableAs for a query only DuckDB can run (a seed's read_csv of a file on this machine). */
  replaceTableFromDuckDb(relation: Relation, duckdbQuery: string): Promise<void>;
  /** An empty table with the query's columns, or with these columns (DuckDB type names). */
  createEmptyTable(relation: Relation, shape: { query: string } | { columns: { name: string; type: string }[] }): Promise<void>;
  /**
   * Points each view at its target and drops the others, atomically when the engine can (inside the caller's
   * transaction; DuckDB and PostgreSQL both have transactional DDL).
   */
  swapViews(create: readonly ViewDefinition[], drop: readonly Relation[]): Promise<void>;

  // ---- writes ----
  /** Replaces the rows whose time falls in [startMs, endMs) with the query's rows in it; returns rows inserted. */
  insertOverwrite(relation: Relation, query: string, time: TimeColumn, interval: { startMs: number; endMs: number }): Promise<number>;
  /** Merges the query's rows (the first per key) by the key columns; returns rows inserted or updated. */
  mergeByKey(relation: Relation, query: string, keys: readonly string[], whenMatched?: string): Promise<number>;
  /**
   * Replaces the partitions present in the query's rows: deletes the table's rows whose partition values
   * (each a column or an expression over the row, NULL matching NULL) the query returns, then inserts the
   * query's rows. Returns rows inserted.
   */
  replacePartitions(relation: Relation, query: string, partitionedBy: readonly string[]): Promise<number>;
  /** Inserts the query's rows; with overwrite, the table's rows are deleted first. Returns rows inserted. */
  appendRows(relation: Relation, query: string, overwrite: boolean): Promise<number>;

  // ---- state ----
  /**
   * Holds Sluice's state for one writer while the returned release is not called. `exclusive` says the
   * engine itself guarantees no other writer (then a lock row left behind belongs to a dead writer).
   */
  lockState(): Promise<{ exclusive: boolean; release: () => Promise<void> }>;
  /** Key of the state this connection reaches (two connections to the same state give the same key). */
  readonly stateKey: string;
  /** SQL for the milliseconds since the epoch of a TIMESTAMPTZ expression. */
  epochMs(expression: string): string;
  /** A list of strings as one parameter, read in SQL as `$n::VARCHAR[]`. */
  textList(values: readonly string[]): unknown;

  /**
   * Runs fn so that a statement of it failing leaves the caller's transaction usable (PostgreSQL aborts a
   * transaction at its first error: a savepoint there; DuckDB needs nothing).
   */
  isolated<T>(fn: () => Promise<T>): Promise<T>;

  // ---- dialect ----
  /** A model's DuckDB query (physical names already in) as this engine runs it; throws when it cannot be rendered. */
  renderQuery(duckdbSql: string, model: { name: string; file: string }): Promise<string>;
}

/** What the plan code accepts: the DuckDB warehouse as it always did, or any adapter. */
export type EngineConnection = Warehouse | EngineAdapter;
