// Points a rendered model query at the tables of one plan. A query names other models as `schema.table`
// (the prod views); to build a dev environment each such name must read the upstream model's physical
// table of the same plan instead, so a changed parent is seen by its rebuilt children. The names are found
// in DuckDB's own syntax tree (positions of BASE_TABLE nodes) and replaced in the text; EMBEDDED models are
// inlined as subqueries. An unaliased reference gets its old table name as alias, so `orders.id` still works.

import { nameLength } from '../dag/references';
import { tableKey } from '../dag/names';
import { SluiceError } from '../errors';
import type { ParsedSql } from '../sql/duckdbParser';
import { quoteIdent } from '../warehouse/quote';

export interface TableNameUse {
  /** `schema.table`, lower-case. */
  key: string;
  /** UTF-16 offset of the name in the SQL text. */
  offset: number;
  length: number;
  /** The table name as written (last part), for the alias of an unaliased replacement. */
  table: string;
  aliased: boolean;
}

/** Every base-table name in the query, with whether it has an alias. CTE names in scope are skipped. */
export function tableNameUses(parsed: ParsedSql): TableNameUse[] {
  const out: TableNameUse[] = [];
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
      const next = new Set(ctes);
      for (const e of entries) if (typeof e.key === 'string') next.add(e.key.toLowerCase());
      scope = next;
    }
    if (node.type === 'BASE_TABLE' && typeof node.table_name === 'string') {
      const schema = typeof node.schema_name === 'string' && node.schema_name !== '' ? node.schema_name : undefined;
      const catalog = typeof node.catalog_name === 'string' && node.catalog_name !== '' ? node.catalog_name : undefined;
      if (schema || catalog || !scope.has(node.table_name.toLowerCase())) {
        const offset = parsed.source.indexOfByte(node.query_location);
        if (offset !== undefined) {
          const parts = [catalog, schema, node.table_name].filter((p): p is string => p !== undefined);
          out.push({
            key: tableKey(parts),
            offset,
            length: nameLength(parsed.sql, offset),
            table: node.table_name,
            aliased: typeof node.alias === 'string' && node.alias !== '',
          });
        }
      }
      return;
    }
    for (const key in node) {
      const child = node[key];
      if (typeof child === 'object' && child !== null) visit(child, scope);
    }
  };
  visit(parsed.query, new Set());
  return out.sort((a, b) => a.offset - b.offset);
}

/**
 * Replaces table names: `replacement(key)` returns the SQL to read instead (a quoted table name or a
 * parenthesised subquery), or undefined to leave the name alone.
 */
export function rewriteTableNames(parsed: ParsedSql, replacement: (key: string) => string | undefined): string {
  let out = '';
  let cursor = 0;
  for (const use of tableNameUses(parsed)) {
    const sql = replacement(use.key);
    if (sql === undefined) continue;
    if (use.length === 0 || use.offset < cursor) throw new SluiceError(`cannot locate the table name ${use.key} in the rendered query`);
    out += parsed.sql.slice(cursor, use.offset) + sql + (use.aliased ? '' : ` AS ${quoteIdent(use.table)}`);
    cursor = use.offset + use.length;
  }
  return out + parsed.sql.slice(cursor);
}
