// Shared helpers for lineage tests: parse with DuckDB, analyse, and print refs compactly.

import { strict as assert } from 'node:assert';
import { analyzeQuery } from '../../core/lineage/analyze';
import { catalogFromTables } from '../../core/lineage/catalog';
import type { Catalog, ColumnRef, QueryLineage } from '../../core/lineage/types';
import { parseSql } from '../../core/sql/duckdbParser';

/** [output name, sources, filters] with refs written `table.column` (default schema left out). */
export type Expected = [string, string[], string[]];

export const shopCatalog: Catalog = catalogFromTables({
  'main.orders': ['id', 'customer_id', 'amount', 'status', 'created_at', 'items', 'payload', 'address'],
  'main.customers': ['id', 'name', 'region', 'tier'],
  'main.payments': ['id', 'order_id', 'amount', 'method'],
  'main.events': ['id', 'ts', 'kind', 'user_id'],
  'raw.orders': ['id', 'total'],
});

export async function lineage(sql: string, catalog: Catalog = shopCatalog, defaultSchema = 'main'): Promise<QueryLineage> {
  return analyzeQuery(await parseSql(sql), catalog, { defaultSchema });
}

export function refText(r: ColumnRef, defaultSchema = 'main'): string {
  const table = r.table.startsWith(defaultSchema + '.') ? r.table.slice(defaultSchema.length + 1) : r.table;
  return `${table}.${r.column}`;
}

/** The lineage as Expected rows (refs sorted), for deepEqual against hand-written expectations. */
export function compact(result: QueryLineage, defaultSchema = 'main'): Expected[] {
  return result.columns.map((c) => [
    c.column,
    c.sources.map((r) => refText(r, defaultSchema)).sort(),
    c.filters.map((r) => refText(r, defaultSchema)).sort(),
  ]);
}

export function sortedExpected(rows: Expected[]): Expected[] {
  return rows.map(([n, s, f]) => [n, [...s].sort(), [...f].sort()]);
}

/** Asserts exact lineage of every output column, in order, and no error diagnostics. */
export async function assertLineage(sql: string, expected: Expected[], catalog: Catalog = shopCatalog): Promise<QueryLineage> {
  const result = await lineage(sql, catalog);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], `unexpected errors: ${errors.map((d) => d.message).join('; ')}`);
  assert.deepEqual(compact(result), sortedExpected(expected));
  return result;
}
