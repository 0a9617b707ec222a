// Every custom message between the Sluice extension and the Sluice language server, declared once and
// imported by both sides.
//
// The descriptors are plain data ({ method }) rather than vscode-jsonrpc RequestType objects on purpose:
// the server (vscode-languageserver) and the client (vscode-languageclient) each bring their own major
// version of vscode-jsonrpc, and message-type classes of one version are not accepted by the other.
// server/rpc.ts and client/client.ts turn a descriptor into a typed handler or call.
// This file must stay free of imports from vscode, vscode-languageserver and Node: core is shared.

import type { HealthReport } from './health/types';
import type { ExportFormat } from './query/export';
import type { TableProfile } from './query/profile';
import type { QueryAccess, QueryColumn, QueryValue } from './query/types';

/** A request: params P, result R. The phantom field only carries the types. */
export interface RequestDescriptor<P, R> {
  readonly kind: 'request';
  readonly method: string;
  readonly _types?: [P, R];
}

/** A notification with params P. */
export interface NotificationDescriptor<P> {
  readonly kind: 'notification';
  readonly method: string;
  readonly _params?: P;
}

export type ParamsOf<D> = D extends RequestDescriptor<infer P, unknown> ? P : D extends NotificationDescriptor<infer P> ? P : never;
export type ResultOf<D> = D extends RequestDescriptor<unknown, infer R> ? R : never;

function request<P, R>(method: string): RequestDescriptor<P, R> {
  return { kind: 'request', method };
}

function notification<P>(method: string): NotificationDescriptor<P> {
  return { kind: 'notification', method };
}

/** JSON-RPC error codes the server uses for refusals (server-defined range -32099..-32000). */
export const SluiceErrorCodes = {
  /** The workspace is not trusted, so nothing that executes project code may run. */
  Untrusted: -32001,
  /** A problem the user can fix: unknown source, file outside a project, bad sluice.yaml, ... */
  UserError: -32002,
  /** The same source is already being ingested by this server. */
  Busy: -32003,
} as const;

/** Sent by the client in InitializeParams.initializationOptions. */
export interface InitializationOptions {
  /** Whether the workspace is trusted. A server that is not told assumes it is not. */
  trusted?: boolean;
}

/** The settings under "sluice." that the server reads per workspace folder. */
export interface SluiceSettings {
  /** Folder holding sluice.yaml, relative to the workspace folder; empty: find sluice.yaml files in the folder. */
  projectPath: string;
  /** DuckDB file to use instead of the one in sluice.yaml, relative to the project folder; empty: sluice.yaml's. */
  warehousePath: string;
  /** Environment the editor works against (shown in the status bar; used by plans). */
  defaultEnvironment: string;
}

export const DEFAULT_SETTINGS: SluiceSettings = {
  projectPath: '',
  warehousePath: '',
  defaultEnvironment: 'dev',
};

/** A Sluice project the server found in the workspace. */
export interface ProjectInfo {
  /** name from sluice.yaml (or the folder name); the folder name when sluice.yaml could not be read. */
  name: string;
  /** Absolute path of the folder holding sluice.yaml. */
  dir: string;
  /** Absolute path of the DuckDB warehouse file (after the warehousePath setting). */
  warehouse: string;
  environment: string;
  /** Set when sluice.yaml could not be read; the other fields are then best guesses. */
  error?: string;
}

export namespace DidChangeTrust {
  export const method = 'sluice/didChangeTrust';
  export interface Params {
    trusted: boolean;
  }
  /** Client → server when the user grants (or the editor revokes) workspace trust. */
  export const type = notification<Params>(method);
}

export namespace Projects {
  export const method = 'sluice/projects';
  export type Params = Record<string, never>;
  export interface Result {
    projects: ProjectInfo[];
  }
  /** Client → server: the projects found in the workspace. */
  export const type = request<Params, Result>(method);
}

export namespace ProjectsChanged {
  export const method = 'sluice/projectsChanged';
  export interface Params {
    projects: ProjectInfo[];
  }
  /** Server → client whenever the set of projects, their sluice.yaml or the settings change. */
  export const type = notification<Params>(method);
}

export interface ResourceInfo {
  name: string;
  /** Whether a plain run includes it (sluice.yaml toggle, else the resource's own default). */
  enabled: boolean;
}

export interface SourceInfo {
  /** The file stem: sources/shop.ts is "shop". */
  name: string;
  /** Absolute path of the source module. */
  file: string;
  /** Only in a trusted workspace: listing resources means running the module. */
  resources?: ResourceInfo[];
  /** The module could not be loaded (trusted workspace only). */
  error?: string;
}

export namespace ListSources {
  export const method = 'sluice/listSources';
  export interface Params {
    /** Only this project; default: every project in the workspace. */
    projectDir?: string;
  }
  export interface Result {
    trusted: boolean;
    projects: { project: ProjectInfo; sources: SourceInfo[] }[];
  }
  /** Client → server. In an untrusted workspace sources come back with names and files only. */
  export const type = request<Params, Result>(method);
}

export namespace RunSource {
  export const method = 'sluice/runSource';
  export interface Params {
    /** The source module: a file URI or an absolute path of <project>/sources/<name>.ts. */
    file?: string;
    /** The source name, when no file is given. */
    source?: string;
    /** The project of `source`; may be omitted when the workspace has exactly one project. */
    projectDir?: string;
    /** At most this many items per resource. */
    limit?: number;
    /** Run these resources instead of those enabled in sluice.yaml. */
    resources?: string[];
    fullRefresh?: boolean;
    /** Chosen by the client; names the run in IngestProgress and CancelIngest. Generated when absent. */
    runId?: string;
  }
  export interface TableRows {
    /** Table name inside the source's schema, e.g. orders__items. */
    table: string;
    rows: number;
  }
  export interface Result {
    runId: string;
    source: string;
    project: string;
    warehouse: string;
    /** cancelled: stopped by CancelIngest or $/cancelRequest; nothing was loaded. */
    status: 'loaded' | 'failed' | 'cancelled';
    loadId: string | null;
    /** Rows loaded per table, sorted by table name (empty unless loaded). */
    tables: TableRows[];
    schemaChanges: number;
    durationMs: number;
    error?: string;
  }
  /**
   * Client → server: runs the source into the project's warehouse (executes project code, so refused with
   * SluiceErrorCodes.Untrusted in an untrusted workspace). Progress arrives as IngestProgress notifications.
   */
  export const type = request<Params, Result>(method);
}

export interface ResourceProgress {
  name: string;
  /** Items extracted so far (rows of the resource's root table). */
  rows: number;
  /** Average since the run started. */
  rowsPerSecond: number;
}

export namespace IngestProgress {
  export const method = 'sluice/ingestProgress';
  export interface Params {
    runId: string;
    source: string;
    elapsedMs: number;
    totalRows: number;
    resources: ResourceProgress[];
    /** The last notification of the run (sent just before the RunSource response). */
    done: boolean;
  }
  /** Server → client, throttled, while a RunSource request runs. */
  export const type = notification<Params>(method);
}

export namespace TryEndpoint {
  export const method = 'sluice/tryEndpoint';
  export interface Params {
    /** The source module (a restApiSource): a file URI or an absolute path. */
    file: string;
    resource: string;
    /** Pages to fetch, default 2. */
    pages?: number;
  }
  export interface Result {
    resource: string;
    parent?: Record<string, unknown>;
    pages: { url: string; status: number; dataSelector: string; items: number; next?: string }[];
    notes: string[];
    columns: { name: string; type: string }[];
    sample: Record<string, unknown>[];
    /** The whole trial as text, as the editor shows it. */
    text: string;
  }
  /** Client → server: fetch the first pages of one REST endpoint (secrets masked); nothing is loaded. */
  export const type = request<Params, Result>(method);
}

export namespace CancelIngest {
  export const method = 'sluice/cancelIngest';
  export interface Params {
    runId: string;
  }
  /** Client → server: stop the run; the RunSource request then answers with status "cancelled". */
  export const type = notification<Params>(method);
}

// ---- editor features: models, lineage, sources, warehouse, tests ----

/** A place in a file: an absolute path and a 0-based line and character (LSP counting). */
export interface FileLocation {
  file: string;
  line: number;
  character: number;
}

/** Where a model's data comes from, as trees and graphs show it. */
export type TableKindName = 'model' | 'seed' | 'external' | 'source' | 'unknown';

export interface ModelSummary {
  /** `schema.table`, lower-case. */
  key: string;
  /** As written in the MODEL block. */
  name: string;
  schema: string;
  /** FULL, VIEW, INCREMENTAL_BY_TIME_RANGE, ... */
  kind: string;
  file: string;
  description?: string;
  /** Output columns, when known. */
  columns: { name: string; type?: string }[];
  upstream: string[];
  downstream: string[];
}

export namespace ListModels {
  export const method = 'sluice/listModels';
  export interface Params {
    projectDir?: string;
  }
  export interface Result {
    projects: { project: ProjectInfo; models: ModelSummary[] }[];
  }
  /** Client → server: the models of each project (read from the files; nothing is executed). */
  export const type = request<Params, Result>(method);
}

export interface GraphNode {
  /** Unique in its graph: `schema.table` for tables, `schema.table.column` for columns. */
  id: string;
  label: string;
  kind: TableKindName;
  /** Column graphs: the id of the table the column belongs to. */
  table?: string;
  /** A type, a field path or a model kind, shown under the label. */
  detail?: string;
  /** Where clicking the node leads. */
  location?: FileLocation;
  /** The selected model or column. */
  focus?: boolean;
}

export interface GraphEdge {
  /** Upstream node id. */
  from: string;
  /** Downstream node id. */
  to: string;
  /** Columns: the value flows in (source) or only picks rows (filter). Tables: always source. */
  role: 'source' | 'filter';
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export namespace Lineage {
  export const method = 'sluice/lineage';
  export interface Params {
    /** A model file (URI or path) and optionally the cursor in it: picks the model and the column there. */
    file?: string;
    position?: { line: number; character: number };
    /** Or the model (and column) by name. */
    model?: string;
    column?: string;
    projectDir?: string;
    /** At most this many nodes per graph (default 200). */
    maxNodes?: number;
  }
  export interface Result {
    project?: string;
    projectDir?: string;
    /** The selected model (`schema.table`), if any. */
    model?: string;
    /** The selected column as `schema.table.column`, if any (it may belong to a table the model reads). */
    column?: string;
    /** Tables and models: the selected model's upstream and downstream, or the whole project. */
    models: Graph;
    /** The selected column's upstream and downstream columns, or every column of the selected model's. */
    columns?: Graph;
    /** Some nodes were left out to stay under maxNodes. */
    truncated: boolean;
  }
  /** Client → server: the lineage graphs the lineage panel draws. */
  export const type = request<Params, Result>(method);
}

export interface OutlineResource {
  name: string;
  /** Whether a plain run includes it (sluice.yaml toggle, else the resource's own default when known). */
  enabled: boolean;
  /** Where `name: '<resource>'` is written in the source file (found by reading the text). */
  location?: FileLocation;
  /** Rows of the resource's tables in the last successful load of the source. */
  lastRows?: number;
  /** Columns of the resource's root table in schemas/<source>.schema.yaml. */
  columns?: { name: string; type: string }[];
  /**
   * What sluice.yaml says about the resource: on, off, or nothing (then `enabled` is the resource's own
   * default: `selected` in the module, or on; read from the text of an untrusted module, where `selected`
   * cannot be known, it is assumed on).
   */
  setting: 'on' | 'off' | 'unset';
}

export interface OutlineSource {
  name: string;
  file: string;
  resources: OutlineResource[];
  /** Resources come from the module itself (trusted) or from reading its text (untrusted). */
  resourcesFrom: 'module' | 'text';
  /** The module could not be loaded (trusted workspace only). */
  error?: string;
  /** Resources sluice.yaml switches on or off that the module does not have (a plain run of the source fails). */
  unknownInConfig?: string[];
  /** The last load attempt of the source, from _sluice.loads. */
  lastLoad?: { status: 'loaded' | 'failed'; finishedAt: string | null; error?: string };
}

export namespace SourceOutline {
  export const method = 'sluice/sourceOutline';
  export interface Params {
    projectDir?: string;
  }
  export interface Result {
    trusted: boolean;
    projects: { project: ProjectInfo; sources: OutlineSource[] }[];
  }
  /** Client → server: sources, their resources with toggles, positions and last runs (the Sources view). */
  export const type = request<Params, Result>(method);
}

export namespace SetResourceEnabled {
  export const method = 'sluice/setResourceEnabled';
  export interface Params {
    projectDir: string;
    source: string;
    resource: string;
    enabled: boolean;
  }
  export interface Result {
    /** False when sluice.yaml already said so. */
    changed: boolean;
  }
  /** Client → server: switches a resource on or off in sluice.yaml, keeping its comments and layout. */
  export const type = request<Params, Result>(method);
}

/** What builds a warehouse table or view: a model (in an environment, or a version's physical table) or a source. */
export type TableOrigin =
  | { kind: 'model'; model: string; environment?: string; file?: string }
  | { kind: 'source'; source: string; resource?: string; file?: string; location?: FileLocation };

export interface WarehouseTable {
  name: string;
  kind: 'table' | 'view';
  /** Full DuckDB types, e.g. TIMESTAMP WITH TIME ZONE. */
  columns: { name: string; type: string }[];
  /**
   * Rows: counted for tables of up to a million rows (by DuckDB's estimate), DuckDB's estimate beyond
   * (then rowsEstimated is set). A model's view gets the rows of the physical table it shows; other views
   * have none (counting them would run their query).
   */
  rows?: number;
  rowsEstimated?: boolean;
  origin?: TableOrigin;
  /** The table's key in the project's lineage (a model or a source table), when lineage knows it. */
  lineage?: string;
}

/**
 * user: the project's own schemas (sources, models in prod). environment: a virtual environment's views
 * (`<schema>__<env>`); physical: model versions (`sluice__<schema>`); system: Sluice's bookkeeping (_sluice).
 */
export type SchemaRole = 'user' | 'environment' | 'physical' | 'system';

export interface WarehouseSchema {
  name: string;
  role: SchemaRole;
  /** For environment schemas: the environment. */
  environment?: string;
  tables: WarehouseTable[];
}

export namespace WarehouseCatalog {
  export const method = 'sluice/warehouseCatalog';
  export interface Params {
    projectDir: string;
  }
  export interface Result {
    warehouse: string;
    /** False when the warehouse file does not exist yet. */
    exists: boolean;
    /** User schemas first (by name), then the internal ones. */
    schemas: WarehouseSchema[];
    /** Set when the file could not be read (e.g. another process holds it). */
    error?: string;
  }
  /** Client → server: schemas, tables and columns of the warehouse, read read-only and closed at once. */
  export const type = request<Params, Result>(method);
}

export namespace Environments {
  export const method = 'sluice/environments';
  export interface Params {
    projectDir: string;
  }
  export interface Result {
    environments: EnvironmentInfo[];
    error?: string;
  }
  /** Client → server: the environments recorded in the warehouse, or just prod when there are none. */
  export const type = request<Params, Result>(method);
}

/** A model an environment shows differently from prod. */
export interface EnvironmentOverride {
  model: string;
  /** added: not in prod; changed: another version than prod's; removed: in prod, not here. */
  change: 'added' | 'changed' | 'removed';
  /** Model file, when the model is in the project. */
  file?: string;
}

export interface EnvironmentInfo {
  name: string;
  /** ISO time of the last apply. */
  updatedAt?: string;
  models?: number;
  /** Non-prod environments recorded in the warehouse: the models they show differently from prod. */
  overrides?: EnvironmentOverride[];
  /** Who made it and who applied it last ("ana", "runner (github:ana-gh)"), when recorded. */
  createdBy?: string;
  appliedBy?: string;
  /** ISO time a dev environment expires (its last apply plus environment_ttl); absent for prod. */
  expiresAt?: string;
  expired?: boolean;
}

export namespace EnvironmentDiff {
  export const method = 'sluice/environmentDiff';
  export interface Params {
    projectDir: string;
    environment: string;
    /** Only this model; default: every model the environment shows differently from prod. */
    model?: string;
  }
  export interface Result {
    environment: string;
    /** A readable report like `sluice diff prod:<env> <model>` prints, one section per model. */
    text: string;
    /** Models compared (at most a few dozen; the rest are listed as left out). */
    models: string[];
  }
  /** Client → server: how the environment's data differs from prod's, read from the warehouse read-only. */
  export const type = request<Params, Result>(method);
}

export namespace InvalidateEnvironment {
  export const method = 'sluice/invalidateEnvironment';
  export interface Params {
    projectDir: string;
    environment: string;
  }
  export interface Result {
    environment: string;
    /** The environment's views that were dropped. */
    droppedViews: string[];
    /** Physical tables no environment needs any more, dropped by the janitor afterwards. */
    droppedTables: string[];
  }
  /** Client → server: removes a non-prod environment (its views and record), then runs the janitor. */
  export const type = request<Params, Result>(method);
}

export namespace PreviewTable {
  export const method = 'sluice/previewTable';
  export interface Params {
    projectDir: string;
    schema: string;
    table: string;
    /** Rows to read (default and maximum 100). */
    limit?: number;
  }
  export interface Result {
    schema: string;
    table: string;
    columns: { name: string; type: string }[];
    /** Each value as text (JSON for lists and structs); null for SQL NULL. */
    rows: (string | null)[][];
    /** More rows exist than were read. */
    truncated: boolean;
  }
  /** Client → server: the first rows of a table or view, read read-only. */
  export const type = request<Params, Result>(method);
}

/** A change a load made to a source's schema (what `sluice ingest` reports as schema changes). */
export interface SchemaChangeInfo {
  kind: 'table_added' | 'column_added' | 'variant_added' | 'type_widened';
  table: string;
  column?: string;
  /** The type after the change; for type_widened also the one before. */
  dataType?: string;
  from?: string;
  variantOf?: string;
  /** The load that made it and when (from the schema versions stored in _sluice.schemas). */
  loadId: string | null;
  at: string;
  version: number;
  /** Made by the source's latest successful load. */
  lastLoad: boolean;
}

export interface SchemaColumnInfo {
  name: string;
  /** Sluice's logical type (text, bigint, timestamp, ...). */
  dataType: string;
  /** The column's type in the warehouse, when the warehouse has the table. */
  warehouseType?: string;
  nullable: boolean;
  primaryKey?: boolean;
  variantOf?: string;
  /** Field path in the source items, e.g. user.login. */
  field?: string;
  /** The newest of the recent changes that concern this column. */
  change?: SchemaChangeInfo;
}

export interface SchemaTableInfo {
  name: string;
  resource: string;
  parent?: string;
  writeDisposition?: string;
  columns: SchemaColumnInfo[];
  /** Rows in the warehouse (as the Warehouse view counts them). */
  rows?: number;
  rowsEstimated?: boolean;
  /** Set when a recent load added the table. */
  change?: SchemaChangeInfo;
  /** Where the table is written in the schema file. */
  location?: FileLocation;
}

export interface SourceSchemaInfo {
  source: string;
  /** schemas/<source>.schema.yaml, when it exists. */
  schemaFile?: string;
  /** Where the schema came from: the schema file, or the warehouse's latest stored version. */
  from: 'file' | 'warehouse' | 'none';
  version?: number;
  tables: SchemaTableInfo[];
  /** Changes of the recent schema versions, newest first. */
  changes: SchemaChangeInfo[];
  /** Set when the schema file or the warehouse could not be read. */
  error?: string;
}

export namespace SourceSchemas {
  export const method = 'sluice/sourceSchemas';
  export interface Params {
    projectDir?: string;
  }
  export interface Result {
    projects: { project: ProjectInfo; sources: SourceSchemaInfo[] }[];
  }
  /** Client → server: each source's inferred tables and columns, with the schema changes of recent loads. */
  export const type = request<Params, Result>(method);
}

export interface UnitTestInfo {
  /** `<file relative to the project>::<test name>`. */
  id: string;
  name: string;
  model: string;
  location: FileLocation;
  description?: string;
}

export interface AuditInfo {
  /** `audit:<model key>::<audit label>`. */
  id: string;
  model: string;
  name: string;
  label: string;
  blocking: boolean;
  location: FileLocation;
}

export interface TestProblem {
  message: string;
  location: FileLocation;
}

export namespace ListTests {
  export const method = 'sluice/listTests';
  export interface Params {
    projectDir?: string;
  }
  export interface Result {
    projects: { project: ProjectInfo; tests: UnitTestInfo[]; audits: AuditInfo[]; problems: TestProblem[] }[];
  }
  /** Client → server: unit tests (tests/test_*.yaml) and model audits, read without running anything. */
  export const type = request<Params, Result>(method);
}

export interface TestOutcome {
  id: string;
  status: 'passed' | 'failed' | 'error';
  message?: string;
  /** Failed outputs with a readable row diff each. */
  mismatches: { output: string; diff: string }[];
  durationMs: number;
  /** Audits: violating rows found. */
  violations?: number;
}

export namespace RunTests {
  export const method = 'sluice/runTests';
  export interface Params {
    projectDir: string;
    /** Test and audit ids to run; none given: every test and audit of the project. */
    ids?: string[];
  }
  export interface Result {
    outcomes: TestOutcome[];
    durationMs: number;
  }
  /**
   * Client → server: runs unit tests on in-memory DuckDB and audits against the warehouse (read-only).
   * Both run SQL from the workspace, so they are refused in an untrusted workspace.
   */
  export const type = request<Params, Result>(method);
}

/** One model change of a plan, as the plan panel shows it. */
export interface PlanChangeInfo {
  model: string;
  change: 'added' | 'removed' | 'directly_modified' | 'indirectly_modified' | 'metadata';
  category: 'breaking' | 'non_breaking' | 'metadata';
  /** Short summary, e.g. "non-breaking · +2 columns · 3 downstream". */
  label: string;
  /** Why the category was chosen, in a few words. */
  reason: string;
  /** Unified diff of the model file (empty for indirect changes). */
  diff: string;
  columns: { added: string[]; removed: string[]; retyped: string[] };
  /** Every model downstream of this one. */
  impacted: string[];
  /** Whether applying builds the model's table (false: an existing table is reused). */
  rebuild: boolean;
  /** Model file, when the model is in the project. */
  file?: string;
}

export namespace PlanRequest {
  export const method = 'sluice/plan';
  export interface Params {
    projectDir: string;
    /** Default: the project's environment (the sluice.defaultEnvironment setting). */
    environment?: string;
  }
  export interface Result {
    project: string;
    projectDir: string;
    environment: string;
    /** The environment the changes are compared with (null: an empty warehouse). */
    base: string | null;
    changes: PlanChangeInfo[];
    /** Models whose tables applying builds. */
    build: string[];
    /** Models whose existing tables are reused. */
    reuse: string[];
    backfill: { model: string; intervals: [string, string][] }[];
    removed: string[];
    /** Nothing to build, backfill or swap. */
    empty: boolean;
    /** Model errors that keep the plan from being applied (file:line: message). */
    errors: string[];
  }
  /**
   * Client → server: the plan of the project's models as the editor has them (unsaved edits included)
   * against the environment's state, read from the warehouse read-only. Nothing is executed.
   */
  export const type = request<Params, Result>(method);
}

export namespace ApplyRequest {
  export const method = 'sluice/apply';
  export interface Params {
    projectDir: string;
    /** Default: the project's environment. */
    environment?: string;
  }
  export interface Result {
    environment: string;
    built: string[];
    reused: string[];
    removed: string[];
    /** Intervals processed per incremental model, and the rows they wrote. */
    backfilled: { model: string; intervals: [string, string][]; rows: number }[];
    /** Audits run while building (each once per table or batch); a failed blocking audit fails the apply. */
    audits: { run: number; passed: number; failed: number };
    /** Whether the environment's views were switched (false: it was already up to date, or the apply failed). */
    swapped: boolean;
    durationMs: number;
    /** Set when the apply failed; the environment is then unchanged. */
    error?: string;
  }
  /**
   * Client → server: plans and applies the environment (builds, audits, swap) like `sluice apply`. It runs
   * the project's SQL, so it is refused in an untrusted workspace.
   */
  export const type = request<Params, Result>(method);
}

export namespace ProjectHealth {
  export const method = 'sluice/health';
  export interface Params {
    projectDir: string;
    /** Environment whose models are judged (default prod, as `sluice health`). */
    environment?: string;
  }
  export interface Result {
    environment: string;
    /** What `sluice health --json` prints for the whole project; absent when it could not be read (error says why). */
    report?: HealthReport;
    error?: string;
    /** Model → its file, for the models in the report that the project has. */
    modelFiles: Record<string, string>;
  }
  /** Client → server: the health of every model column and source resource, from the warehouse's _sluice tables. */
  export const type = request<Params, Result>(method);
}

/** A position in a document as LSP counts it (0-based line, UTF-16 character). */
export interface TextPosition {
  line: number;
  character: number;
}

/** One page of an open query's rows. */
export interface QueryPageResult {
  queryId: string;
  offset: number;
  /** Values as JSON carries them: SQL NULL is null, never ''; lists and structs are arrays and objects. */
  rows: QueryValue[][];
  /** Rows read from DuckDB so far; the result's size once done. */
  rowsRead: number;
  /** Every row has been read. */
  done: boolean;
}

export namespace StartQuery {
  export const method = 'sluice/startQuery';
  /** What to run: `sql`; or `model` (a name); or the model file `uri` with `range` (a selection) or `position` (the CTE around it), else all of it. */
  export interface Params {
    /** Chosen by the client, unique per query, so that CancelQuery reaches a query that is still starting. */
    queryId: string;
    /** The project; optional when `uri` names a model file. */
    projectDir?: string;
    sql?: string;
    model?: string;
    uri?: string;
    range?: { start: TextPosition; end: TextPosition };
    position?: TextPosition;
    /** With `position` outside every CTE: run the whole model rather than answer an error. */
    orModel?: boolean;
    /**
     * A model's @start_* macros get the model's `start` (when it has one) instead of yesterday; @end_* stay
     * yesterday (UTC). An incremental model's preview then shows all it would build, not one day.
     */
    wholeRange?: boolean;
    /** Environment whose views are read; default dev when it has been applied, else prod. */
    environment?: string;
    /** Rows in the first page (default 100, at most 10,000). */
    pageSize?: number;
  }
  export type Result =
    | {
        status: 'ok';
        queryId: string;
        /** What ran, in words: `query`, `analytics.orders`, `CTE paid in analytics.orders`. */
        label: string;
        environment: string;
        /** read-only: the warehouse itself; snapshot: a private copy (the server always reads a copy, so writers never wait). */
        access: QueryAccess;
        /** The SQL DuckDB ran (rendered, pointed at the environment's views). */
        sql: string;
        columns: QueryColumn[];
        firstPage: QueryPageResult;
        /** From the request until the first page was read. */
        elapsedMs: number;
      }
    | {
        status: 'error';
        queryId: string;
        message: string;
        /** Where the error is in the model file, for a model's query. */
        location?: { uri: string; line: number; character: number };
      }
    | { status: 'cancelled'; queryId: string };
  /**
   * Client → server: runs a query and answers with its first page; the result stays open for FetchQueryPage
   * until CloseQuery. Cancelling the request, or CancelQuery, interrupts DuckDB.
   */
  export const type = request<Params, Result>(method);
}

export namespace FetchQueryPage {
  export const method = 'sluice/fetchQueryPage';
  export interface Params {
    queryId: string;
    offset: number;
    /** At most 10,000. */
    count: number;
  }
  export type Result = QueryPageResult;
  /** Client → server: rows offset .. offset+count of an open query, read from DuckDB as needed. */
  export const type = request<Params, Result>(method);
}

export namespace CancelQuery {
  export const method = 'sluice/cancelQuery';
  export interface Params {
    queryId: string;
  }
  export interface Result {
    /** False when no such query was running or open. */
    cancelled: boolean;
  }
  /** Client → server: interrupts a running query (StartQuery then answers status 'cancelled') and closes it. */
  export const type = request<Params, Result>(method);
}

export namespace CloseQuery {
  export const method = 'sluice/closeQuery';
  export interface Params {
    queryId: string;
  }
  export interface Result {
    closed: boolean;
  }
  /** Client → server: forgets an open query's result (the grid was closed). */
  export const type = request<Params, Result>(method);
}

export namespace ProfileTableRequest {
  export const method = 'sluice/profileTable';
  export interface Params {
    projectDir: string;
    /** A table or model, e.g. analytics.orders. */
    table: string;
    environment?: string;
  }
  /** The same object `sluice profile --json` prints. */
  export type Result = TableProfile;
  /** Client → server: first rows and per-column statistics of a table (sampled for large tables). */
  export const type = request<Params, Result>(method);
}

export namespace ExportQuery {
  export const method = 'sluice/exportQuery';
  export interface Params {
    queryId: string;
    format: ExportFormat;
    /** Absolute path of the file to write (replaced when it exists). */
    path: string;
  }
  export interface Result {
    path: string;
    /** Rows written: the whole result, not only the rows the grid has read. */
    rows: number;
  }
  /**
   * Client → server: writes an open query's whole result to a file as CSV (like `sluice query --csv`), JSON
   * (an array of row objects) or Parquet (DuckDB's COPY). The query runs again on the snapshot it reads.
   */
  export const type = request<Params, Result>(method);
}

/** What is happening to a project's warehouse file. */
export interface WarehouseState {
  projectDir: string;
  warehouse: string;
  /** idle: nobody holds it; running: this server loads or applies; locked: another process holds it for writing. */
  state: 'idle' | 'running' | 'locked';
  /** The process holding it (locked). */
  pid?: number;
  /** Its command line, shortened ("sluice ingest shop"), when it can be read. */
  command?: string;
}

export namespace WarehouseStatus {
  export const method = 'sluice/warehouseStatus';
  export interface Params {
    projects: WarehouseState[];
  }
  /** Server → client, when a project's warehouse changes state (the status bar shows it). */
  export const type = notification<Params>(method);
}
