// Loads a benchmark schema (TPC-H, TPC-DS) into an in-memory DuckDB so tests can take the catalog
// from DuckDB itself and check that every query really binds and what DuckDB names its columns.

import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { catalogFromTables } from '../../core/lineage/catalog';
import type { Catalog } from '../../core/lineage/types';
import { parseMany, type ParsedSql } from '../../core/sql/duckdbParser';

export interface Benchmark {
  catalog: Catalog;
  parsed: ParsedSql[];
  /** Runs query i on the empty tables and returns DuckDB's column names (lower-cased). */
  columnNames(i: number): Promise<string[]>;
  close(): void;
}

export async function loadBenchmark(schemaSql: string, queries: string[]): Promise<Benchmark> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection: DuckDBConnection = await instance.connect();
  await connection.run(schemaSql);
  const reader = await connection.runAndReadAll(
    `SELECT table_schema, table_name, column_name FROM information_schema.columns
     ORDER BY table_schema, table_name, ordinal_position`,
  );
  const tables = new Map<string, string[]>();
  for (const [schema, table, column] of reader.getRows() as string[][]) {
    const key = `${schema}.${table}`;
    if (!tables.has(key)) tables.set(key, []);
    tables.get(key)!.push(column);
  }
  const parsed = await parseMany(queries);
  return {
    catalog: catalogFromTables(tables),
    parsed,
    async columnNames(i) {
      const result = await connection.runAndReadAll(queries[i]);
      return result.columnNames().map((n) => n.toLowerCase());
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
