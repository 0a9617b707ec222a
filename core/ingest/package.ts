// A load package: everything one run produces, staged on disk before it is loaded in one transaction.
// Normalize fills it; load commits it. Its files live in <project>/.sluice/packages/<load_id>/.

import type { SchemaChange, SourceSchema } from '../schema/types';

/**
 * One normalized value, already in the representation its column's data type asks for:
 * text → string, bigint → bigint | number (integral), double → number (NaN and ±Infinity allowed),
 * bool → boolean, timestamp → ISO 8601 string with offset, date → 'YYYY-MM-DD',
 * decimal → string of digits, json → JSON text, binary → Uint8Array, missing → null.
 */
export type Cell = string | number | bigint | boolean | Uint8Array | null;
/** A normalized row keyed by normalized column name. Absent columns are null. */
export type Row = Record<string, Cell>;

/** Per-resource state committed with the load. */
export interface ResourceState {
  incremental?: {
    cursor: string;
    lastValue: unknown;
    /** Hashes of the primary keys of items whose cursor equals lastValue: skipped next time. */
    boundaryKeys: string[];
  };
  /** Whatever the resource put in ctx.state. */
  custom?: Record<string, unknown>;
}

export interface PackagePart {
  /** File name inside the package directory. */
  file: string;
  /** Columns in the file, in order. */
  columns: string[];
  /**
   * Columns with the same text value in every row of the part (the load id), given once here instead of
   * on every line: the loader fills them in.
   */
  constants?: Record<string, string>;
  rows: number;
  /**
   * An upper bound on the file's longest line in bytes, so the loader can size read_csv's line buffer to
   * what the file needs. Absent: the loader assumes a line may be as long as the file.
   */
  maxLineBytes?: number;
}

/** The fields of a table's CSV lines, in order, and the columns all of them have the same text in. */
export interface LineLayout {
  readonly columns: readonly string[];
  readonly constants?: Readonly<Record<string, string>>;
}

/** Whether two parts' lines have the same fields in the same order and the same constant columns. */
export function sameLayout(a: LineLayout, b: LineLayout): boolean {
  if (a.columns.length !== b.columns.length || a.columns.some((name, i) => b.columns[i] !== name)) return false;
  return sameConstants(a.constants, b.constants);
}

/** Whether two layouts' constant columns are the same, with the same values. */
export function sameConstants(a: LineLayout['constants'], b: LineLayout['constants']): boolean {
  const mine = Object.entries(a ?? {});
  const theirs = b ?? {};
  return mine.length === Object.keys(theirs).length && mine.every(([name, value]) => Object.hasOwn(theirs, name) && theirs[name] === value);
}

/** Runs of consecutive parts with the same layout: one read_csv call reads a run's files in parallel, in order. */
export function layoutRuns(parts: readonly PackagePart[]): PackagePart[][] {
  const runs: PackagePart[][] = [];
  for (const part of parts) {
    const run = runs[runs.length - 1];
    if (run && sameLayout(run[0], part)) run.push(part);
    else runs.push([part]);
  }
  return runs;
}

export interface PackageTable {
  name: string;
  parts: PackagePart[];
  rows: number;
}

export interface PackageManifest {
  loadId: string;
  source: string;
  createdAt: string;
  /** The schema after normalizing this package: what the warehouse must look like once it is loaded. */
  schema: SourceSchema;
  changes: SchemaChange[];
  /** Resources extracted in this run (replace empties their tables even when they yielded nothing). */
  resources: string[];
  /** State to commit with the data, per resource. */
  state: Record<string, ResourceState>;
  tables: Record<string, PackageTable>;
  /** Start the resources' tables over (--full-refresh): drop data and state before loading. */
  fullRefresh: boolean;
  /**
   * The integer row ids the package's rows use, [first, next). The load checks that the warehouse's next
   * free id is still `first` and stores `next`, so no two loads of a source share an id. Absent in
   * packages whose rows were not numbered from the source's counter.
   */
  rowIds?: { first: number; next: number };
}
