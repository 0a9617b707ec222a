// Audits and model unit tests (SQLMesh formats): what parsed audit files, resolved audits, test files and
// results look like. Plain data throughout, so everything can cross the language-server boundary.

import type { ModelDiagnostic, Position } from '../models/types';

/** Same shape as model diagnostics: file, one-line message, 1-based start/end, severity. */
export type QualityDiagnostic = ModelDiagnostic;

// ---------- audits ----------

/** One AUDIT (...) block and its query, from audits/*.sql or inline in a model file. */
export interface AuditDefinition {
  /** Lower-cased, as SQLMesh looks audits up. */
  name: string;
  file: string;
  /** Where the AUDIT keyword is. */
  start: Position;
  end: Position;
  /** Default true, as in SQLMesh. */
  blocking: boolean;
  /** skip true: the audit is never run. */
  skip: boolean;
  /** standalone true: not attached to a model (Sluice does not run standalone audits yet). */
  standalone: boolean;
  dialect?: string;
  /** defaults (name = value, ...): lower-cased parameter name → raw SQL. */
  defaults: Record<string, string>;
  /** @DEF(name, value) statements between the AUDIT block and the query. */
  defs: Record<string, string>;
  /** The audit query as written, without its closing semicolon. */
  query: string;
  queryStart: Position;
  /** Written inside a model file (SQLMesh runs those for that model even when not listed in `audits`). */
  inline: boolean;
}

export interface ParsedAuditFile {
  file: string;
  audits: AuditDefinition[];
  diagnostics: QualityDiagnostic[];
}

/** The audited table: a schema and table name (quoted by Sluice, never pasted). */
export interface AuditRelation {
  schema: string;
  table: string;
  /** Optional attached database, for catalog.schema.table. */
  catalog?: string;
}

interface AuditSpecBase {
  /** As referenced by the model, e.g. not_null, not_null_non_blocking, assert_positive_amount. */
  name: string;
  /** The reference as a readable call, e.g. not_null(columns := (id, name)). */
  label: string;
  /** A failing blocking audit stops the plan; a non-blocking one only warns. */
  blocking: boolean;
  /** The audited model's name as written. */
  model: string;
  /** The audited model's file, when known (for messages). */
  modelFile?: string;
}

/** A built-in audit with its arguments checked and split up (identifiers already quoted). */
export interface BuiltinAuditSpec extends AuditSpecBase {
  source: 'builtin';
  /** The built-in's base name (without _non_blocking). */
  builtin: string;
  args: BuiltinArgs;
}

/** A user audit (audits/*.sql or inline); rendered with its arguments as macro variables when run. */
export interface SqlAuditSpec extends AuditSpecBase {
  source: 'sql';
  file: string;
  query: string;
  queryStart: Position;
  /** defaults, then @DEFs, then the model's arguments (later ones win): name → raw SQL. */
  variables: Record<string, string>;
}

export type AuditSpec = BuiltinAuditSpec | SqlAuditSpec;

/**
 * Arguments of a built-in audit, by parameter name. Identifiers are quoted SQL (`"id"`); expressions and
 * list items are SQL written by the model author, comments removed (they may still hold macros such as
 * @start_ds, expanded when the audit runs); flags are booleans.
 */
export type BuiltinArgs = Record<string, BuiltinArg>;

export type BuiltinArg =
  | { kind: 'identifiers'; sql: string[] }
  | { kind: 'expression'; sql: string }
  | { kind: 'list'; sql: string[] }
  | { kind: 'flag'; value: boolean };

export interface AuditResult {
  name: string;
  label: string;
  blocking: boolean;
  /** True when the audit query returned no rows (and did not fail to run). */
  passed: boolean;
  /** Rows the audit query returned. */
  violations: number;
  /** Up to five violating rows, with JSON-friendly values. */
  sample: Record<string, unknown>[];
  /** The SQL that was run. */
  sql: string;
  /** Set when the audit could not be run (bad column, macro error, ...): one readable line. */
  error?: string;
}

// ---------- unit tests ----------

/** A value from a test file, typed the way SQLMesh reads YAML (unquoted dates are dates). */
export type FixtureValue =
  | { type: 'null' }
  | { type: 'boolean'; value: boolean }
  /** text: the number as written (exact, even beyond double precision). */
  | { type: 'number'; text: string; integer: boolean }
  | { type: 'string'; value: string }
  | { type: 'date' | 'timestamp' | 'timestamptz' | 'time'; text: string }
  | { type: 'list'; items: FixtureValue[] }
  | { type: 'struct'; fields: Array<[string, FixtureValue]> };

/** One row: column → value, in the order written. */
export type FixtureRow = Array<[string, FixtureValue]>;

/** Rows for an input table or an expected output, given inline, as CSV, from a file, or by a query. */
export interface FixtureData {
  /** inputs.<name>, outputs.query or outputs.ctes.<name>: used in messages. */
  label: string;
  where: Position;
  rows?: FixtureRow[];
  /** CSV text with a header line (format: csv with rows: |). */
  csv?: string;
  /** A SQL query producing the rows (SQLMesh's `query:` form). */
  query?: string;
  /** A file with the rows (YAML, or CSV with format: csv), relative to the project. */
  path?: string;
  format: 'yaml' | 'csv';
  /** CSV separator (csv_settings: sep). */
  csvSeparator?: string;
  /** Column → DuckDB type, from `columns:`. */
  columns?: Record<string, string>;
  /** Outputs only: compare just the columns the expected rows name. */
  partial?: boolean;
}

export interface InputFixture extends FixtureData {
  /** The table name as written, e.g. shop.orders. */
  name: string;
}

export interface CteExpectation extends FixtureData {
  cte: string;
}

export interface UnitTestDefinition {
  name: string;
  file: string;
  /** Where the test's name is in the file. */
  start: Position;
  end: Position;
  /** The tested model's name as written. */
  model: string;
  description?: string;
  /** vars: start, end, execution_time and macro variables. */
  vars: Record<string, unknown>;
  inputs: InputFixture[];
  outputs: { query?: FixtureData; ctes: CteExpectation[] };
  /** Directory `path:` entries are relative to (the project). */
  baseDir: string;
}

export interface DiscoveredTests {
  tests: UnitTestDefinition[];
  diagnostics: QualityDiagnostic[];
}

/** One output (the query or a CTE) that did not match. */
export interface OutputMismatch {
  /** 'query' or 'cte <name>'. */
  output: string;
  /** A readable row diff. */
  diff: string;
}

export interface TestResult {
  name: string;
  file: string;
  start: Position;
  model: string;
  status: 'passed' | 'failed' | 'error';
  /** Failed or error: one line saying why. */
  message?: string;
  mismatches: OutputMismatch[];
  durationMs: number;
}

export interface TestRunSummary {
  results: TestResult[];
  /** Problems found while reading test files (YAML errors, bad structure), with positions. */
  diagnostics: QualityDiagnostic[];
  passed: number;
  failed: number;
  errors: number;
  durationMs: number;
}
