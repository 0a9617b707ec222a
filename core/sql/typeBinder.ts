// The types of a query's output columns, as DuckDB's own binder decides them. The tables the query reads
// are created as empty views in the scratch catalog of the parser's instance (inside a transaction that
// is rolled back, so nothing stays), and the query is prepared, never run. Identifiers are always quoted;
// a type is written into SQL only when it has a plain form (DECIMAL(12,2), VARCHAR[], TIMESTAMP WITH
// TIME ZONE) and DuckDB accepts it: any other column stands in as an untyped NULL.

import type { DuckDBConnection } from '@duckdb/node-api';
import { qualified, quoteIdent } from '../warehouse/quote';
import { withScratchConnection } from './duckdbParser';

export interface ScratchColumn {
  name: string;
  /** DuckDB type text, when known. */
  type?: string;
}

export interface ScratchTable {
  schema: string;
  table: string;
  columns: readonly ScratchColumn[];
}

export interface DescribedQuery {
  /** The query's output columns with DuckDB's type of each, in order. */
  columns: { name: string; type: string }[];
  /** `schema.table.column` (lower-case) of the columns that had no usable type and stood in as NULL. */
  untyped: Set<string>;
}

/** Type names, optional (precision[, scale]) and array suffixes: the only type text ever written into SQL. */
const PLAIN_TYPE = /^[A-Za-z_][A-Za-z0-9_]*(?: [A-Za-z_][A-Za-z0-9_]*)*\s*(?:\(\s*\d+\s*(?:,\s*\d+\s*)?\))?(?:\[\d*\])*$/;

/** Type text → whether DuckDB accepts it, learnt once per text. */
const acceptedTypes = new Map<string, boolean>();

/** DuckDB's output column types of a single SELECT over the given tables; undefined when it does not bind. */
export async function describeQuery(sql: string, tables: readonly ScratchTable[]): Promise<DescribedQuery | undefined> {
  if (tables.some((t) => t.columns.length === 0)) return undefined;
  return withScratchConnection(async (connection) => {
    const untyped = new Set<string>();
    await connection.run('BEGIN TRANSACTION');
    try {
      const schemas = new Set(tables.map((t) => t.schema.toLowerCase()));
      schemas.delete('main');
      for (const schema of schemas) await connection.run(`CREATE SCHEMA ${quoteIdent(schema)}`);
      for (const t of tables) {
        const items: string[] = [];
        for (const c of t.columns) {
          const type = c.type !== undefined && (await isAcceptedType(connection, c.type)) ? c.type.trim() : undefined;
          if (type === undefined) untyped.add(`${t.schema}.${t.table}.${c.name}`.toLowerCase());
          items.push(`${type === undefined ? 'NULL' : `CAST(NULL AS ${type})`} AS ${quoteIdent(c.name)}`);
        }
        await connection.run(`CREATE VIEW ${qualified(t.schema, t.table)} AS SELECT ${items.join(', ')} WHERE false`);
      }
      const prepared = await connection.prepare(sql);
      try {
        const columns: DescribedQuery['columns'] = [];
        for (let i = 0; i < prepared.columnCount; i++) columns.push({ name: prepared.columnName(i), type: prepared.columnType(i).toString() });
        return { columns, untyped };
      } finally {
        prepared.destroySync();
      }
    } catch {
      // Does not bind here (a function reading files, a catalog name, a placeholder that fits no overload).
      return undefined;
    } finally {
      await connection.run('ROLLBACK');
    }
  });
}

/** The type text Sluice shows for a type DuckDB printed (its short names for the time zone types). */
export function displayType(duckdbType: string): string {
  return duckdbType.replace(/\bTIMESTAMP WITH TIME ZONE\b/g, 'TIMESTAMPTZ').replace(/\bTIME WITH TIME ZONE\b/g, 'TIMETZ');
}

/** Whether type text has the plain form that may be written into SQL (it says nothing of DuckDB knowing it). */
export function isPlainType(type: string): boolean {
  return PLAIN_TYPE.test(type.trim());
}

async function isAcceptedType(connection: DuckDBConnection, type: string): Promise<boolean> {
  const text = type.trim();
  let accepted = acceptedTypes.get(text);
  if (accepted === undefined) {
    accepted = isPlainType(text) && (await connection.prepare(`SELECT CAST(NULL AS ${text})`).then((p) => (p.destroySync(), true), () => false));
    acceptedTypes.set(text, accepted);
  }
  return accepted;
}
