// Types of a model's output columns, where they can be known without running the query: declared in
// the MODEL block's `columns`, a CAST in the select list, or a column passed through unchanged from a
// table whose types are known. Anything computed otherwise stays unknown rather than guessed.

import type { ColumnLineage, ColumnRef } from '../lineage/types';
import { isCast, isColumnRef, isSelectNode, isStar, type ExpressionNode, type QueryNode } from '../sql/ast';

export function outputColumnTypes(
  query: QueryNode | undefined,
  lineage: readonly ColumnLineage[],
  declared: Record<string, string> | undefined,
  typeOf: (ref: ColumnRef) => string | undefined,
): (string | undefined)[] {
  const declaredTypes = new Map(Object.entries(declared ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const items = query && isSelectNode(query) ? query.select_list ?? [] : [];
  // Named select items: output name → expression. Star-expanded outputs have no entry of their own.
  const byName = new Map<string, ExpressionNode>();
  let hasStar = false;
  for (const item of items) {
    if (isStar(item)) {
      hasStar = true;
      continue;
    }
    const name = (item.alias ?? (isColumnRef(item) ? item.column_names[item.column_names.length - 1] : ''))?.toLowerCase();
    if (name && !byName.has(name)) byName.set(name, item);
  }
  return lineage.map((col) => {
    const declaredType = declaredTypes.get(col.column);
    if (declaredType) return declaredType;
    const item = byName.get(col.column);
    if (item && isCast(item)) return castTypeText(item.cast_type);
    const passThrough = item ? isColumnRef(item) : hasStar;
    if (passThrough && col.sources.length === 1 && (item || col.sources[0].column === col.column)) return typeOf(col.sources[0]);
    return undefined;
  });
}

/** DuckDB's type text for a serialized cast type, e.g. DECIMAL(10,2), VARCHAR[]. */
export function castTypeText(type: unknown): string | undefined {
  if (typeof type !== 'object' || type === null) return undefined;
  const t = type as { id?: unknown; type_info?: Record<string, unknown> };
  if (typeof t.id !== 'string') return undefined;
  const info = t.type_info ?? {};
  switch (t.id) {
    case 'DECIMAL':
      return typeof info.width === 'number' ? `DECIMAL(${info.width},${Number(info.scale ?? 0)})` : 'DECIMAL';
    case 'LIST': {
      const child = castTypeText(info.child_type);
      return child ? `${child}[]` : undefined;
    }
    case 'TIMESTAMP WITH TIME ZONE':
      return 'TIMESTAMPTZ';
    case 'USER':
      return typeof info.user_type_name === 'string' ? info.user_type_name.toUpperCase() : undefined;
    case 'STRUCT':
    case 'MAP':
    case 'UNION':
    case 'ARRAY':
    case 'ENUM':
      return undefined;
    default:
      return t.id;
  }
}
