// What a transpilation produces, and what it may ask of its caller.

/** Dialects Sluice renders models into. DuckDB is the dialect models are written in. */
export const TARGET_DIALECTS = ['duckdb', 'postgres', 'bigquery', 'snowflake'] as const;
export type TargetDialect = (typeof TARGET_DIALECTS)[number];

export function isTargetDialect(name: string): name is TargetDialect {
  return (TARGET_DIALECTS as readonly string[]).includes(name);
}

/** A construct that cannot be rendered: where it is in the DuckDB text, and why. */
export interface DialectProblem {
  message: string;
  /** UTF-16 index into the DuckDB SQL that was transpiled. */
  offset: number;
}

export interface TranspileOptions {
  /**
   * Columns of a table the query reads, in order (name parts as written, e.g. ['staging', 'orders']);
   * undefined when unknown. Needed where a target cannot say `* EXCLUDE (...)` and the star must be spelled out.
   */
  columnsOf?: (nameParts: readonly string[]) => readonly string[] | undefined;
}

export interface TranspileResult {
  dialect: TargetDialect;
  /** The query in the target dialect; undefined when anything could not be rendered. */
  sql?: string;
  problems: DialectProblem[];
}
