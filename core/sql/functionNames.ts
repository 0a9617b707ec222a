// The functions DuckDB has, from its own catalog, learnt once per process: which names exist (a query
// translated from another dialect may still call a function DuckDB lacks) and which are aggregates.

import { withScratchConnection } from './duckdbParser';

export interface DuckDbFunctionNames {
  /** Every function and macro name, lower-case. */
  all: ReadonlySet<string>;
  aggregates: ReadonlySet<string>;
}

let names: Promise<DuckDbFunctionNames> | undefined;

export function duckdbFunctionNames(): Promise<DuckDbFunctionNames> {
  if (!names) {
    names = withScratchConnection(async (connection) => {
      const reader = await connection.runAndReadAll('SELECT DISTINCT lower(function_name), function_type FROM duckdb_functions()');
      const all = new Set<string>();
      const aggregates = new Set<string>();
      for (const [name, type] of reader.getRows()) {
        all.add(String(name));
        if (type === 'aggregate') aggregates.add(String(name));
      }
      return { all, aggregates };
    });
    names.catch(() => (names = undefined));
  }
  return names;
}
