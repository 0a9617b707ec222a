// Which columns a FROM clause brings into scope and which columns a query produces, so that a star can be
// spelled out for a dialect that cannot say `* EXCLUDE`, and a rewritten query can name its outputs. Base
// tables get their columns from the caller (Sluice knows every model's and source table's columns); CTEs,
// subqueries and joins are worked out from the query itself. Unknown stays unknown: callers then refuse.

import {
  type ExpressionNode,
  type QueryNode,
  type StarExpression,
  type TableRef,
  cteEntries,
  isBaseTable,
  isColumnRef,
  isJoin,
  isRecursiveCteNode,
  isSelectNode,
  isSetOperationNode,
  isStar,
  isSubqueryRef,
  setOperationBranches,
} from '../sql/ast';
import { expressionName } from '../sql/expressionName';
import type { TranspileOptions } from './types';

/** One table in scope: the name a star qualifier uses, and its columns in order (undefined when unknown). */
export interface Relation {
  name: string;
  columns?: string[];
  /** Columns a plain `*` leaves out (the right side's copy of a USING column). */
  hiddenFromStar?: Set<string>;
  /** Columns merged by USING / NATURAL: unqualified in an expanded star. */
  merged?: Set<string>;
}

/** CTEs visible at a point of the query, innermost last. */
export type CteScope = readonly Map<string, CteDefinition>[];

export interface CteDefinition {
  node: QueryNode;
  aliases?: string[];
  scope: CteScope;
}

export function withCtes(node: QueryNode, scope: CteScope): CteScope {
  const entries = cteEntries(node);
  if (entries.length === 0) return scope;
  const map = new Map<string, CteDefinition>();
  const next = [...scope, map];
  // Each CTE sees the ones before it (and itself, for a recursive one).
  for (const e of entries) map.set(e.key.toLowerCase(), { node: e.value.query.node, aliases: e.value.aliases, scope: next });
  return next;
}

function findCte(scope: CteScope, name: string): CteDefinition | undefined {
  for (let i = scope.length - 1; i >= 0; i--) {
    const hit = scope[i].get(name.toLowerCase());
    if (hit) return hit;
  }
  return undefined;
}

export class ColumnResolver {
  constructor(private readonly options: TranspileOptions) {}

  /** Tables a FROM clause brings into scope, left to right. */
  relations(ref: TableRef | undefined, scope: CteScope): Relation[] {
    if (!ref || ref.type === 'EMPTY') return [];
    if (isBaseTable(ref)) {
      const name = ref.alias ?? ref.table_name;
      const cte = !ref.schema_name && !ref.catalog_name ? findCte(scope, ref.table_name) : undefined;
      let columns: string[] | undefined;
      if (cte) columns = this.cteColumns(cte);
      else {
        const parts = [ref.catalog_name, ref.schema_name, ref.table_name].filter((p): p is string => !!p);
        const known = this.options.columnsOf?.(parts);
        columns = known ? [...known] : undefined;
      }
      return [{ name, columns: renamed(columns, ref.column_name_alias) }];
    }
    if (isSubqueryRef(ref)) {
      const columns = this.outputColumns(ref.subquery.node, scope);
      return [{ name: ref.alias ?? '', columns: renamed(columns, ref.column_name_alias) }];
    }
    if (isJoin(ref)) {
      const left = this.relations(ref.left, scope);
      const right = this.relations(ref.right, scope);
      let using = ref.using_columns;
      if (ref.ref_type === 'NATURAL') {
        const leftNames = new Set(left.flatMap((r) => r.columns ?? []));
        const rightNames = right.flatMap((r) => r.columns ?? []);
        if (left.some((r) => !r.columns) || right.some((r) => !r.columns)) return [...left, ...right.map((r) => ({ ...r, columns: undefined }))];
        using = rightNames.filter((c) => leftNames.has(c));
      }
      if (using && using.length > 0) {
        const shared = new Set(using.map((c) => c.toLowerCase()));
        for (const r of left) r.merged = new Set([...(r.merged ?? []), ...shared]);
        for (const r of right) r.hiddenFromStar = new Set([...(r.hiddenFromStar ?? []), ...shared]);
      }
      return [...left, ...right];
    }
    return [{ name: ref.alias ?? '', columns: undefined }];
  }

  /** Output column names of a query, or undefined when a star in it cannot be resolved. */
  outputColumns(node: QueryNode, scope: CteScope): string[] | undefined {
    const inner = withCtes(node, scope);
    if (isSelectNode(node)) {
      const relations = this.relations(node.from_table, inner);
      const out: string[] = [];
      for (const item of node.select_list ?? []) {
        if (isStar(item)) {
          const expanded = expandStar(item, relations);
          if (!expanded) return undefined;
          out.push(...expanded.map((c) => c.name));
        } else out.push(outputName(item));
      }
      return out;
    }
    if (isSetOperationNode(node)) {
      const first = setOperationBranches(node)[0];
      return first ? this.outputColumns(first, inner) : undefined;
    }
    if (isRecursiveCteNode(node)) return node.left ? this.outputColumns(node.left, inner) : undefined;
    return undefined;
  }

  private readonly resolving = new Set<CteDefinition>();

  private cteColumns(cte: CteDefinition): string[] | undefined {
    if (this.resolving.has(cte)) return cte.aliases && cte.aliases.length > 0 ? cte.aliases : undefined;
    this.resolving.add(cte);
    try {
      return renamed(this.outputColumns(cte.node, cte.scope), cte.aliases);
    } finally {
      this.resolving.delete(cte);
    }
  }
}

function renamed(columns: string[] | undefined, aliases: string[] | undefined): string[] | undefined {
  if (!aliases || aliases.length === 0 || !columns) return columns;
  return columns.map((c, i) => aliases[i] ?? c);
}

/** The name DuckDB gives a select-list item. */
export function outputName(item: ExpressionNode): string {
  if (item.alias) return item.alias;
  if (isColumnRef(item)) return item.column_names[item.column_names.length - 1];
  return expressionName(item);
}

export interface ExpandedColumn {
  /** The relation to qualify it with; undefined for a column merged by USING. */
  relation?: string;
  name: string;
}

/** The columns a star stands for (before EXCLUDE/REPLACE), or undefined when they are not known. */
export function expandStar(star: StarExpression, relations: readonly Relation[]): ExpandedColumn[] | undefined {
  if (star.columns || star.rename_list?.length) return undefined;
  const qualifier = star.relation_name?.toLowerCase();
  const chosen = qualifier === undefined ? relations : relations.filter((r) => r.name.toLowerCase() === qualifier);
  if (chosen.length === 0 || chosen.some((r) => !r.columns)) return undefined;
  const excluded = new Set([...(star.exclude_list ?? []), ...(star.qualified_exclude_list ?? []).map((q) => q.column)].map((c) => c.toLowerCase()));
  const out: ExpandedColumn[] = [];
  for (const r of chosen) {
    for (const c of r.columns!) {
      const key = c.toLowerCase();
      if (excluded.has(key)) continue;
      if (qualifier === undefined && r.hiddenFromStar?.has(key)) continue;
      out.push({ relation: qualifier === undefined && r.merged?.has(key) ? undefined : r.name, name: c });
    }
  }
  return out;
}
