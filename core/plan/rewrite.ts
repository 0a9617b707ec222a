// Points a rendered model query at the tables of one plan. A query names other models as `schema.table`
// (the prod views); to build a dev environment each such name must read the upstream model's physical
// table of the same plan instead, so a changed parent is seen by its rebuilt children. The names are found
// in DuckDB's own syntax tree (positions of BASE_TABLE nodes) and replaced in the text; EMBEDDED models are
// inlined as subqueries. An unaliased reference gets its old table name as alias, so `orders.id` still works.

import { tableReferences, type TableReference } from '../dag/references';
import { SluiceError } from '../errors';
import { OffsetMapBuilder, type OffsetMap } from '../query/offsetMap';
import type { ParsedSql } from '../sql/duckdbParser';
import { quoteIdent } from '../warehouse/quote';

export type TableNameUse = TableReference;

/** Every base-table name in the query whose position is known, in text order. CTE names in scope are skipped. */
export function tableNameUses(parsed: ParsedSql): TableNameUse[] {
  return tableReferences(parsed)
    .filter((use) => use.located)
    .sort((a, b) => a.offset - b.offset);
}

/**
 * Replaces table names: `replacement(key)` returns the SQL to read instead (a quoted table name or a
 * parenthesised subquery), or undefined to leave the name alone.
 */
export function rewriteTableNames(parsed: ParsedSql, replacement: (key: string) => string | undefined): string {
  return rewriteTableNamesMapped(parsed, replacement).text;
}

/**
 * rewriteTableNames, also saying where each character of the result came from (for error positions).
 * `alias: false` for statements whose table takes no alias (SUMMARIZE t, DESCRIBE t).
 */
export function rewriteTableNamesMapped(parsed: ParsedSql, replacement: (key: string) => string | undefined, options: { alias?: boolean } = {}): OffsetMap {
  const out = new OffsetMapBuilder(parsed.sql);
  let cursor = 0;
  for (const use of tableNameUses(parsed)) {
    const sql = replacement(use.key);
    if (sql === undefined) continue;
    if (use.length === 0 || use.offset < cursor) throw new SluiceError(`cannot locate the table name ${use.key} in the rendered query`);
    out.copy(cursor, use.offset).insert(sql + (use.aliased || options.alias === false ? '' : ` AS ${quoteIdent(use.table)}`), use.offset);
    cursor = use.offset + use.length;
  }
  return out.copy(cursor, parsed.sql.length).build();
}
