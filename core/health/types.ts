// Health: what the warehouse's _sluice tables say about loads and builds (facts), what the project says about
// models and their lineage (inputs), and the answer `sluice health` gives (the report, its JSON contract).

import type { ModelKindName } from '../models/types';
import type { SchemaChange, SourceSchema } from '../schema/types';
import type { Freshness, HealthSettings } from './settings';

export type HealthStatus = 'fresh' | 'stale' | 'failing' | 'unknown';
/** Which freshness limit data has outgrown: warn_after (a warning) or error_after (health exits 1). */
export type Breach = 'warn_after' | 'error_after';

// ---------- facts read from the warehouse ----------

/** One row of _sluice.loads. A load that never committed has no row, or a failed one: it never counts as a success. */
export interface LoadFact {
  loadId: string;
  source: string;
  status: 'loaded' | 'failed';
  startedMs: number;
  finishedMs: number | null;
  /** Table (without the source schema) → rows loaded; a resource that ran without rows has its root table at 0. */
  rows: Record<string, number>;
  error: string | null;
  /** The resources a failed load ran; absent when not recorded (older loads): it then counts against them all. */
  resources?: string[] | null;
}

/** One stored schema version of a source. */
export interface SchemaVersionFact {
  source: string;
  version: number;
  loadId: string | null;
  createdMs: number;
  schema: SourceSchema;
}

export interface AuditFact {
  /** The audits of the latest run on the table the environment shows. */
  state: 'passed' | 'failed' | 'none';
  ranMs: number | null;
  failed: { audit: string; blocking: boolean; violations: number; error: string | null }[];
}

/** A model as an environment shows it. */
export interface ModelBuildFact {
  name: string;
  version: string;
  kind: string;
  /** When its table was built or last had intervals processed; null when unknown. */
  builtMs: number | null;
  audits: AuditFact;
}

export interface WarehouseFacts {
  /** Recent load attempts of every source: the last few dozen, and all of the 14 days before the latest. Newest first. */
  loads: LoadFact[];
  /**
   * `source.table` → the latest successful load that lists the table (it wrote rows to it, or ran its resource
   * without any): for the root table of every resource; for child tables as far as the recent loads go.
   */
  lastSuccessByTable: Map<string, LoadFact>;
  /** source → its latest failed load. */
  lastFailureBySource: Map<string, LoadFact>;
  /** The latest schema versions of each source, newest first. */
  schemas: SchemaVersionFact[];
  /** Whether the environment exists, and its models. */
  environment: { exists: boolean; models: Map<string, ModelBuildFact> };
}

// ---------- what the project says ----------

/** A source field a model column depends on: its value flows in, or it only decides which rows. */
export interface HealthOrigin {
  /** `source.table.column` in the warehouse. */
  column: string;
  source: string;
  resource: string;
  /** `source.resource`. */
  resourceKey: string;
  table: string;
  /** Field path in the resource's items; absent for _sluice_* columns. */
  field?: string;
  role: 'value' | 'filter';
}

export interface HealthModel {
  /** `schema.table`. */
  key: string;
  kind: ModelKindName;
  /** Holds data as of its last build (a table), rather than reading its inputs live (a view). */
  materialized: boolean;
  /** Apply builds something for it (not EMBEDDED or EXTERNAL). */
  expectsBuild: boolean;
  owner?: string;
  tags?: string[];
  freshness?: Freshness;
  /** Models it reads. */
  parents: string[];
  /** Resources (`source.resource`) whose tables it reads directly. */
  reads: string[];
  /** Output columns and the source fields each depends on, each field once (a value wins over a filter). */
  columns: { name: string; origins: HealthOrigin[] }[];
}

export interface HealthSources {
  /** source → settings of the source as a whole, and per resource. */
  [source: string]: { health: HealthSettings; resourceHealth: Record<string, HealthSettings>; resources?: Record<string, boolean> };
}

// ---------- the report (JSON contract) ----------

export interface LoadRef {
  load_id: string;
  /** When the load committed (ISO). */
  at: string;
  started_at: string;
  duration_ms: number | null;
  /** Rows the load brought to the table in question; null when the load record does not say. */
  rows: number | null;
}

export interface FailureRef {
  load_id: string;
  at: string;
  started_at: string;
  duration_ms: number | null;
  error: string;
}

/** A source field whose values flow into the column, and the loads behind it. */
export interface ColumnSource {
  /** `source.table.column`. */
  field: string;
  /** `source.resource`. */
  resource: string;
  /** Field path in the resource's items, when the column holds one. */
  path: string | null;
  status: HealthStatus;
  last_success: LoadRef | null;
  last_failure: FailureRef | null;
  /** The load whose data the column shows: the newest success before the tables between them were last built. */
  fed_by: LoadRef | null;
}

/** A source field that only decides which rows the column has (a join key, a WHERE): its resource's loads are in `sources` of the report. */
export interface ColumnFilter {
  field: string;
  resource: string;
  path: string | null;
  status: HealthStatus;
}

export interface ModelHealth {
  name: string;
  kind: string;
  built_at: string | null;
  audits: 'passed' | 'failed' | 'none';
  failed_audits: { audit: string; blocking: boolean; violations: number; error: string | null }[];
  owner: string | null;
  tags: string[];
}

export interface ColumnHealth {
  status: HealthStatus;
  reason: string;
  breach: Breach | null;
  /** The oldest data the column shows (the oldest load feeding it, or its model's build); null when unknown. */
  as_of: string | null;
  sources: ColumnSource[];
  filters: ColumnFilter[];
  model: ModelHealth;
}

export interface VolumePoint {
  load_id: string;
  at: string;
  rows: number;
}

export interface SourceHealth {
  status: HealthStatus;
  reason: string;
  breach: Breach | null;
  owner: string | null;
  tags: string[];
  freshness: { warn_after: string | null; error_after: string | null } | null;
  last_success: LoadRef | null;
  last_failure: FailureRef | null;
  /** Rows per successful load, oldest first (up to the last 30). */
  volume: VolumePoint[];
  anomaly: string | null;
  /** Schema changes the recent loads made to the resource's tables, newest first. */
  schema_changes: { load_id: string | null; at: string; version: number; changes: SchemaChange[] }[];
}

export interface StatusCounts {
  fresh: number;
  stale: number;
  failing: number;
  unknown: number;
}

export interface HealthReport {
  environment: string;
  generated_at: string;
  summary: {
    columns: StatusCounts;
    sources: StatusCounts;
    /** False when something is failing or stale beyond error_after: `sluice health` then exits 1. */
    ok: boolean;
  };
  columns: Record<string, ColumnHealth>;
  sources: Record<string, SourceHealth>;
}
