// The source API: what a source module's default export looks like.
// Sources are plain objects so that a module needs no import at all; defineSource only adds typing.

import type { DataType, MergeStrategy, WriteDisposition } from '../schema/types';

export type Item = Record<string, unknown>;
/** What rows() may give: items, arrays of items (a page), sync or async. */
export type ItemSource = Iterable<Item | Item[]> | AsyncIterable<Item | Item[]>;

export type ContractMode = 'evolve' | 'freeze' | 'discard_row' | 'discard_value';
/** A single mode applies to all three entities. */
export type Contract =
  | ContractMode
  | { tables?: ContractMode; columns?: ContractMode; data_type?: ContractMode };

export type LastValueFn = 'max' | 'min' | ((values: unknown[]) => unknown);

export interface IncrementalSpec {
  /** Field path of the cursor, dotted: 'updated_at' or 'meta.updated'. */
  cursor: string;
  initialValue?: unknown;
  /** How the new last value is chosen from the seen cursor values. Default 'max'. */
  lastValue?: LastValueFn;
  /** Items whose cursor is beyond endValue are dropped (backfills of a closed range). */
  endValue?: unknown;
}

export interface ColumnHint {
  dataType?: DataType;
  nullable?: boolean;
  primaryKey?: boolean;
  /**
   * With dataType 'decimal': the warehouse column is DECIMAL(precision, scale) instead of DECIMAL(38,9).
   * precision - scale <= 29 and scale <= 9; values that do not fit go to a variant column, never rounded.
   */
  precision?: number;
  scale?: number;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface ResourceContext {
  /** The incremental start: the last value committed by the previous load, else initialValue. */
  incremental?: { start: unknown; end?: unknown };
  /** Item limit for this run (from --limit), undefined when unlimited. */
  limit?: number;
  /** Non-secret config values from sluice.yaml (sources.<name>.config). */
  config: Record<string, unknown>;
  /** Secrets from environment variables / .env. Never logged. */
  secrets: Record<string, string | undefined>;
  /** Resource state persisted with the load (beyond the incremental cursor). */
  state: Record<string, unknown>;
  log: Logger;
  signal: AbortSignal;
}

export interface ResourceDef {
  name: string;
  /** Yields items. Not used by transformers, which define transform instead. */
  rows?: (ctx: ResourceContext) => ItemSource | Item[] | Promise<ItemSource | Item[]>;
  /** Makes this resource a transformer fed by another resource's items. */
  transformer?: {
    from: string;
    transform: (item: Item, ctx: ResourceContext) => ItemSource | Item | Item[] | undefined | Promise<Item | Item[] | undefined>;
  };
  /** Table name; defaults to the resource name. */
  table?: string;
  primaryKey?: string | string[];
  mergeKey?: string | string[];
  writeDisposition?: WriteDisposition | { disposition: WriteDisposition; strategy?: MergeStrategy };
  incremental?: IncrementalSpec;
  /** Nesting levels kept as tables/columns; deeper values are stored as JSON. */
  maxNesting?: number;
  /** Columns a table of the resource may have (default 500); further fields go to its JSON column _sluice_overflow. */
  maxColumns?: number;
  columns?: Record<string, ColumnHint>;
  contract?: Contract;
  /** Whether the resource is extracted when nothing in sluice.yaml says otherwise. Default true. */
  selected?: boolean;
}

export interface SourceDef {
  name: string;
  resources: ResourceDef[];
}

export function defineSource<T extends SourceDef>(source: T): T {
  return source;
}
