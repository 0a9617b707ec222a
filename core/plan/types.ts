// Change management for SQL models: model versions (snapshots), environments made of views over them,
// and plans that say what a set of model files changes in an environment. Plain data throughout, so plans
// can be computed without DuckDB, printed as JSON and sent to the editor.

import type { ColumnInfo } from '../dag/types';
import type { Actor } from './actor';
import type { ColumnLineage } from '../lineage/types';
import type { ModelDefaults } from '../models/defaults';
import type { MacroValue } from '../models/render';
import type { ModelKind } from '../models/types';
import type { AuditSpec } from '../quality/types';
import type { CategorizeMode, QueryShape } from './categorize';

/** What a change does to the data of the model and of the models reading it. */
export type ChangeCategory = 'breaking' | 'non_breaking' | 'metadata';

/** How a model differs from the environment's current version of it. */
export type ChangeKind = 'added' | 'removed' | 'directly_modified' | 'indirectly_modified' | 'metadata';

/** One model version: everything needed to build its table and to compare later versions with it. */
export interface SnapshotRecord {
  /** `schema.table`, lower-case. */
  name: string;
  /** Identity of this version: data fingerprint plus metadata. */
  fingerprint: string;
  /** Query, kind, data-affecting properties and the data fingerprints of the parents. */
  dataFingerprint: string;
  /** The model's own data-affecting definition, without its parents. */
  dataHash: string;
  /** description, owner, cron, tags, grain, column descriptions and audits. */
  metadataHash: string;
  /** Which physical table holds the data; shared by versions whose changes did not alter the data. */
  version: string;
  kind: ModelKind;
  /** Model file relative to the project, with forward slashes. */
  file: string;
  /** The whole model file as it was when this version was made (rendered again to build or run it). */
  modelText: string;
  /** Absolute path of the CSV of a SEED model. */
  seedFile?: string;
  /** A SEED model's columns and a hash of each one's values (absent in versions planned before). */
  seedShape?: SeedShape;
  /** The project's model_defaults and variables when this version was planned: it is built with them. */
  defaults?: ModelDefaults;
  variables?: Record<string, MacroValue>;
  /** The query reads the model's own table: the table is created (empty) before its first batch. */
  readsItself?: boolean;
  /** What the categorizer needs of the query (see categorize.ts); undefined for models without a query. */
  queryShape?: QueryShape;
  /** Output columns, with types when the analysis knows them. */
  columns: ColumnInfo[];
  /** One-hop lineage of each output column, to find what a removed column used to feed. */
  lineage: ColumnLineage[];
  /** Models this one reads (model keys, sorted). */
  parents: string[];
  /** The `columns` property: lower-cased name and type as written. */
  declaredColumns?: [string, string][];
  cron?: string;
  /** interval_unit property, when set. */
  intervalUnit?: string;
  start?: string;
  end?: string;
  grain?: string[];
  owner?: string;
  description?: string;
  tags?: string[];
  /** Audits resolved when the version was planned; run after each build. */
  audits: AuditSpec[];
  /** A forward-only change previewed outside prod: the fingerprint of the version it previews (see forwardOnly.ts). */
  previewOf?: string;
}

export interface SeedShape {
  /** Header names, lower-cased, in order. */
  columns: string[];
  /** Hash of each column's values, in row order. */
  values: string[];
}

/** Which version of each model an environment shows. */
export interface EnvironmentEntry {
  name: string;
  fingerprint: string;
  version: string;
  kind: ModelKind['name'];
}

export interface EnvironmentRecord {
  name: string;
  /** Every model of the environment. */
  snapshots: EnvironmentEntry[];
  /** What the environment showed before its last apply (the target of a rollback). */
  previous: EnvironmentEntry[];
  planId: string;
  /** When it was last applied (or rolled back). */
  updatedAt: string;
  /** When it was first applied; unknown for environments made before this was recorded. */
  createdAt?: string;
  createdBy?: Actor;
  /** Who applied it last. */
  appliedBy?: Actor;
}

/** A processed time range of one physical table: [startMs, endMs). */
export interface Interval {
  startMs: number;
  endMs: number;
}

/** The identity of every stored snapshot, without its definition. */
export interface StoredSnapshot {
  name: string;
  dataFingerprint: string;
  version: string;
}

/** What the warehouse knows, read before planning: no DuckDB access happens after this. */
export interface PlanState {
  /** Full records by fingerprint (those the environments show, at least). */
  snapshots: Map<string, SnapshotRecord>;
  /** Every stored snapshot by fingerprint; a stored snapshot's table is complete. */
  stored: Map<string, StoredSnapshot>;
  environments: Map<string, EnvironmentRecord>;
  /** `name@version` → processed intervals. */
  intervals: Map<string, Interval[]>;
}

export interface ColumnChanges {
  added: string[];
  removed: string[];
  retyped: string[];
}

/** For a column that was added, removed or retyped: the downstream model columns it reaches. */
export interface ColumnImpact {
  column: string;
  change: 'added' | 'removed' | 'retyped';
  from?: string;
  to?: string;
  /** `schema.table.column` of every downstream model column depending on it. */
  downstream: string[];
}

export interface PlanChange {
  model: string;
  change: ChangeKind;
  category: ChangeCategory;
  /** Unified diff of the model file (empty for indirect changes). */
  diff: string;
  columns: ColumnChanges;
  /** Every model downstream of this one (in the new project; in the environment for removed models). */
  impacted: string[];
  column_impact: ColumnImpact[];
  /** Why the category was chosen, in a few words. */
  reason: string;
  /** Whether the model's table will be built by this plan (false: an existing table is reused). */
  rebuild: boolean;
  /** The diff of the model without comments, in canonical layout (renderedModel.ts): what the text output shows. */
  rendered_diff: string;
  /** A forward-only change: its table changed in place (prod), or previewed on a table of the environment's own. */
  forward_only?: 'in_place' | 'preview';
}

export interface BackfillEntry {
  model: string;
  /** Merged ranges, as readable inclusive bounds: dates for day-aligned intervals, else timestamps. */
  intervals: [string, string][];
}

/** A model of the new environment and what applying the plan does for it. */
export interface PlannedModel {
  record: SnapshotRecord;
  /** build: a new table; reuse: an existing one; none: nothing to store (EMBEDDED). */
  action: 'build' | 'reuse' | 'none';
  /** The record is not stored yet (its row is written with the build or the swap). */
  isNewSnapshot: boolean;
  /** Intervals to process, in order (incremental models only). */
  missing: Interval[];
  /** Audits must run on the reused table because they changed (metadata change). */
  auditReused: boolean;
  /** FULL model rebuilt in place by a restatement. */
  restate: boolean;
  /** A forward-only change keeps this table: its columns follow the new query in place before its intervals. */
  migrate?: boolean;
  /** --allow-destructive-model named it: its in-place change may drop or retype columns (on_destructive_change allow). */
  allowDestructive?: boolean;
}

/** A model left out of a plan because of an error in it or upstream of it. */
export interface HeldBack {
  model: string;
  /** The error (`file:line:col: message`), or which upstream model holds it back. */
  reason: string;
  /** Where the error is (file relative to the project), for a model with an error of its own. */
  file?: string;
  line?: number;
  column?: number;
  /** The upstream model left out, for a model held back by it. */
  upstream?: string;
  /** The environment keeps the version it shows of the model (false: the model is not in it). */
  kept: boolean;
}

export interface Plan {
  environment: string;
  /** The environment the changes are computed against (the target itself, or prod for a new environment). */
  base: string | null;
  /** Time up to which intervals are planned (epoch ms). */
  nowMs: number;
  changes: PlanChange[];
  backfill: BackfillEntry[];
  /** Every model of the new environment, upstream first. */
  models: PlannedModel[];
  removed: string[];
  /** The environment's fingerprints when the plan was made, to refuse applying a stale plan. */
  expected: Record<string, string>;
  /** Nothing to build, backfill or swap. */
  empty: boolean;
  /** Models left out because of errors, upstream first; the environment keeps what it shows of them. */
  heldBack: HeldBack[];
}

export interface PlanOptions {
  /** Time up to which incremental intervals are due (default: now). */
  now?: Date | number;
  /** Reprocess this model and what reads it over [start, end]. */
  restate?: { model: string; start: string; end: string };
  /** Backfill only this range of a dev environment's incremental models (SQLMesh's plan --start/--end). */
  backfillRange?: { start?: string; end?: string };
  /** Categorization rules: SQLMesh's (default) or Sluice's stricter ones (see categorize.ts). */
  categorize?: CategorizeMode;
  /** Every change to a FULL or incremental model keeps its table (forwardOnly.ts). */
  forwardOnly?: boolean;
  /** Models (names or globs) whose forward-only changes may drop or retype columns, whatever on_destructive_change says. */
  allowDestructive?: readonly string[];
}
