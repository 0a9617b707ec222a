// Row counts for the views: exact (count(*)) for tables DuckDB estimates at up to a million rows, which is
// quick, and DuckDB's estimate (duckdb_tables().estimated_size, free to read) for bigger ones. The
// estimate alone is not enough: it still counts rows a replace or merge deleted until DuckDB compacts.

import type { Warehouse } from '../../core/warehouse/connection';
import { qualified } from '../../core/warehouse/quote';

/** Tables estimated at more rows than this keep the estimate. */
export const EXACT_COUNT_LIMIT = 1_000_000;
/** Tables counted exactly in one read at most (a warehouse with more gets estimates for the rest). */
const EXACT_COUNT_TABLES = 500;

export interface RowCount {
  rows: number;
  /** DuckDB's estimate, not a count. */
  estimated: boolean;
}

/** Rows per table, keyed `schema.table` in lower case. */
export async function tableRowCounts(wh: Warehouse): Promise<Map<string, RowCount>> {
  const tables = await wh.json<{ s: string; t: string; n: number | string }>(
    `SELECT schema_name AS s, table_name AS t, estimated_size AS n FROM duckdb_tables()
     WHERE database_name = current_database() ORDER BY schema_name, table_name`,
  );
  const counts = new Map<string, RowCount>();
  const small: { key: string; s: string; t: string }[] = [];
  for (const table of tables) {
    const key = `${table.s}.${table.t}`.toLowerCase();
    const estimate = Number(table.n);
    counts.set(key, { rows: estimate, estimated: true });
    if (estimate <= EXACT_COUNT_LIMIT && small.length < EXACT_COUNT_TABLES) small.push({ key, s: table.s, t: table.t });
  }
  // One query for all of them; names reach the SQL only quoted, the index ties each count to its table.
  for (let i = 0; i < small.length; i += 100) {
    const batch = small.slice(i, i + 100);
    const sql = batch.map((table, j) => `SELECT ${j} AS i, count(*) AS n FROM ${qualified(table.s, table.t)}`).join(' UNION ALL ');
    for (const row of await wh.json<{ i: number; n: number | string }>(sql)) counts.set(batch[Number(row.i)].key, { rows: Number(row.n), estimated: false });
  }
  return counts;
}
