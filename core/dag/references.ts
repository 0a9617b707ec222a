// The tables a query reads, found in DuckDB's syntax tree. This is where a model's dependencies come
// from: nothing is declared by hand. Names that are CTEs in scope are not tables.

import type { ParsedSql } from '../sql/duckdbParser';
import { tableKey } from './names';

export interface TableReference {
  /** `schema.table`, lower-case. */
  key: string;
  /** UTF-16 offset of the reference in the parsed SQL (the rendered query). */
  offset: number;
  /** Length of the name as written at offset (best effort, for editor ranges). */
  length: number;
  /** False when DuckDB gave no usable position (offset is then 0). */
  located: boolean;
  /** The table name as written (last part). */
  table: string;
  /** Whether the reference has an alias (`FROM a.b AS x`). */
  aliased: boolean;
}

/** Every base-table reference of the query, in the order they appear. */
export function tableReferences(parsed: ParsedSql): TableReference[] {
  const out: TableReference[] = [];
  if (!parsed.query) return out;
  const visit = (value: unknown, ctes: ReadonlySet<string>): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, ctes);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const node = value as Record<string, unknown>;
    let scope = ctes;
    const entries = (node.cte_map as { map?: { key?: unknown }[] } | undefined)?.map;
    if (Array.isArray(entries) && entries.length > 0) {
      // Every CTE of a WITH is visible in its body and, approximately, in the other CTEs (DuckDB lets a
      // CTE see those before it; WITH RECURSIVE sees itself).
      const next = new Set(ctes);
      for (const e of entries) if (typeof e.key === 'string') next.add(e.key.toLowerCase());
      scope = next;
    }
    if (node.type === 'BASE_TABLE' && typeof node.table_name === 'string') {
      const schema = typeof node.schema_name === 'string' && node.schema_name !== '' ? node.schema_name : undefined;
      const catalog = typeof node.catalog_name === 'string' && node.catalog_name !== '' ? node.catalog_name : undefined;
      if (schema || catalog || !scope.has(node.table_name.toLowerCase())) {
        const located = parsed.source.indexOfByte(node.query_location);
        const offset = located ?? 0;
        const parts = [catalog, schema, node.table_name].filter((p): p is string => p !== undefined);
        out.push({
          key: tableKey(parts),
          offset,
          length: nameLength(parsed.sql, offset),
          located: located !== undefined,
          table: node.table_name,
          aliased: typeof node.alias === 'string' && node.alias !== '',
        });
      }
      return;
    }
    for (const key in node) {
      const child = node[key];
      if (typeof child === 'object' && child !== null) visit(child, scope);
    }
  };
  visit(parsed.query, new Set());
  return out;
}

const NAME_AT = /^(?:"(?:[^"]|"")*"|[\p{L}\p{N}_$]+)(?:\s*\.\s*(?:"(?:[^"]|"")*"|[\p{L}\p{N}_$]+))*/u;

/** Length of a (possibly dotted, possibly quoted) name starting at offset; 0 when there is none. */
export function nameLength(sql: string, offset: number): number {
  const match = NAME_AT.exec(sql.slice(offset, offset + 400));
  return match ? match[0].length : 0;
}
