// A query's syntax tree reduced to what it means: DuckDB's json_serialize_sql tree without positions, with
// identifiers lower-cased where DuckDB compares them case-insensitively. Formatting, comments and keyword
// case therefore never change it. Output column aliases keep their case: they name the table's columns.

/** Keys holding identifiers DuckDB resolves case-insensitively. */
const IDENTIFIER_KEYS = new Set(['column_names', 'table_name', 'schema_name', 'catalog_name', 'function_name', 'schema', 'catalog', 'using_columns', 'column_name_alias']);

/** Returns a normalized deep copy of a syntax tree node. */
export function normalizeAst(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalizeAst);
  if (typeof node !== 'object' || node === null) return node;
  const input = node as Record<string, unknown>;
  // Expressions have a class; table references and query nodes do not. Only an expression's alias names an
  // output column; a table alias is an identifier like any other.
  const isExpression = typeof input.class === 'string';
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    if (key === 'query_location') continue;
    const value = input[key];
    if (IDENTIFIER_KEYS.has(key) || (key === 'alias' && !isExpression)) out[key] = lowerIdentifiers(value);
    else if (key === 'cte_map') out[key] = normalizeCteMap(value);
    else out[key] = normalizeAst(value);
  }
  return out;
}

function lowerIdentifiers(value: unknown): unknown {
  if (typeof value === 'string') return value.toLowerCase();
  if (Array.isArray(value)) return value.map(lowerIdentifiers);
  return normalizeAst(value);
}

function normalizeCteMap(value: unknown): unknown {
  const map = (value as { map?: { key?: unknown; value?: unknown }[] } | undefined)?.map;
  if (!Array.isArray(map)) return normalizeAst(value);
  return { ...(normalizeAst(value) as object), map: map.map((e) => ({ key: lowerIdentifiers(e.key), value: normalizeAst(e.value) })) };
}

/** Canonical text of a normalized tree (key order is DuckDB's, which is fixed per node type). */
export function astText(node: unknown): string {
  return JSON.stringify(node);
}
