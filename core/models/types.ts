// The SQL model file format (SQLMesh-compatible): what a parsed model file looks like.
// Everything here is plain data so it can cross the language-server boundary and be cached.

import type { Freshness } from '../health/settings';
import type { Blueprint } from './blueprints';

/** A place in a file. offset is 0-based in UTF-16 code units (JS string index); line and column are 1-based. */
export interface Position {
  offset: number;
  line: number;
  column: number;
}

export interface ModelDiagnostic {
  file: string;
  message: string;
  start: Position;
  end: Position;
  severity: 'error' | 'warning';
}

export type ModelKindName = ModelKind['name'];

export type ModelKind =
  | { name: 'FULL' }
  | { name: 'VIEW'; materialized?: boolean }
  | ({
      name: 'INCREMENTAL_BY_TIME_RANGE';
      timeColumn: string;
      timeColumnFormat?: string;
      batchSize?: number;
      lookback?: number;
    } & ForwardOnlyOptions)
  | ({ name: 'INCREMENTAL_BY_UNIQUE_KEY'; uniqueKey: string[]; whenMatched?: string } & ForwardOnlyOptions)
  /** Each run replaces the partitions (values of the model's partitioned_by) present in the query's output. */
  | ({ name: 'INCREMENTAL_BY_PARTITION'; partitionedBy: string[] } & ForwardOnlyOptions)
  /** Each run appends the query's rows; insert_overwrite replaces the table's rows instead. */
  | ({ name: 'INCREMENTAL_UNMANAGED'; insertOverwrite: boolean } & ForwardOnlyOptions)
  | { name: 'SEED'; path: string; csvSettings?: Record<string, unknown> }
  | { name: 'EMBEDDED' }
  | { name: 'EXTERNAL' }
  | (Scd2Options & {
      /** SCD_TYPE_2 is SQLMesh's old name of this kind. */
      name: 'SCD_TYPE_2_BY_TIME';
      updatedAtName: string;
      updatedAtAsValidFrom: boolean;
    })
  | (Scd2Options & {
      name: 'SCD_TYPE_2_BY_COLUMN';
      /** The columns whose change opens a new version; '*' is every column of the query. */
      columns: string[] | '*';
      executionTimeAsValidFrom: boolean;
      /** A column of the query whose value is the time of the change, in place of the execution time. */
      updatedAtName?: string;
    });

/** What a destructive forward-only change (a column dropped or retyped in place) does: SQLMesh's on_destructive_change. */
export type DestructiveChangePolicy = 'allow' | 'warn' | 'error' | 'ignore';

/**
 * The incremental kinds' forward-only options, set only when written: a change to a forward-only model keeps
 * its table (see core/plan/forwardOnly.ts). They are metadata: switching them rebuilds nothing.
 */
export interface ForwardOnlyOptions {
  forwardOnly?: boolean;
  onDestructiveChange?: DestructiveChangePolicy;
}

/** What both SCD type 2 kinds share: how rows are matched and the validity columns Sluice adds. */
export interface Scd2Options extends ForwardOnlyOptions {
  uniqueKey: string[];
  validFromName: string;
  validToName: string;
  /** A key missing from the query closes its current version (at the execution time). */
  invalidateHardDeletes: boolean;
  /** The type of the validity columns (and of updated_at in the table), default TIMESTAMP. */
  timeDataType: string;
  batchSize?: number;
}

/** An audit named in the MODEL block, e.g. not_null(columns := [a, b]). */
export interface AuditRef {
  /** Lower-cased, as SQLMesh looks audits up. */
  name: string;
  /** Argument name (lower-cased) → raw SQL text of its value. */
  args: Record<string, string>;
}

/** A property value as written, with where it is. */
export interface PropertyText {
  raw: string;
  start: Position;
  end: Position;
  /** Where the property name is (absent for values that have no name, e.g. a kind's name). */
  keyStart?: Position;
  keyEnd?: Position;
}

/** Physical storage hints. Sluice (DuckDB) does not act on them; they are kept for SQLMesh parity. */
export interface ModelStorage {
  tableFormat?: string;
  storageFormat?: string;
  clusteredBy?: string[];
}

export interface ModelDefinition {
  /** As written, e.g. analytics.daily_revenue (lower-cased for lookups elsewhere). */
  name: string;
  /** The name split into parts, quotes removed: ['analytics', 'daily_revenue']. */
  nameParts: string[];
  kind: ModelKind;
  cron?: string;
  start?: string;
  end?: string;
  owner?: string;
  /** The description property, or else the comments written before MODEL (as SQLMesh does). */
  description?: string;
  grain?: string[];
  tags?: string[];
  /** Sluice's freshness property: how old the model's data may get before `sluice health` calls it stale. */
  freshness?: Freshness;
  audits: AuditRef[];
  columnDescriptions: Record<string, string>;
  /** Column name → type as written (e.g. 'DECIMAL(10, 2)'). */
  columns?: Record<string, string>;
  /** Lower-cased. */
  dialect?: string;
  partitionedBy?: string[];
  storage?: ModelStorage;
  /** Models this one depends on in addition to those found in its query. */
  dependsOn?: string[];
  /** false when the model is switched off (SQLMesh then ignores the file). */
  enabled?: boolean;
  /**
   * Every property as raw text too, keyed by lower-cased name. Kind options appear as 'kind.<option>'
   * (e.g. 'kind.batch_size') and the kind itself as 'kind'.
   */
  properties: Record<string, PropertyText>;
}

/** Statements other than @DEF and the query. */
export interface ModelStatement {
  /** pre: before the query; post: after it; audit: an inline AUDIT block and its query; virtual_update: one statement of an ON_VIRTUAL_UPDATE block. */
  role: 'pre' | 'post' | 'audit' | 'virtual_update';
  text: string;
  start: Position;
  end: Position;
}

export interface DefLocation {
  /** Where the value text (second @DEF argument) starts and ends. */
  start: Position;
  end: Position;
}

export interface ParsedModel {
  file: string;
  definition?: ModelDefinition;
  /** @DEF variables: lower-cased name → raw SQL text of the value. */
  defs: Record<string, string>;
  /** Where each @DEF value is written, for mapping macro expansions back to the file. */
  defLocations: Record<string, DefLocation>;
  /** The query text as written (after the header and @DEFs), without its closing semicolon. Empty when there is none. */
  query: string;
  /** Where the query begins in the file (to map parser offsets back). */
  queryStart: Position;
  /** Pre/post statements, inline audits and virtual-update blocks, in file order. */
  statements: ModelStatement[];
  diagnostics: ModelDiagnostic[];
  /** Every blueprint of the MODEL block's `blueprints` property (absent without one). */
  blueprints?: Blueprint[];
  /** The blueprint this model was made from: its variables render in the name and the query. */
  blueprint?: Blueprint;
  /** A Python model (models/*.py), read from its @model decorator: Sluice does not run it, its table is read as it is. */
  python?: { kind?: string };
}
