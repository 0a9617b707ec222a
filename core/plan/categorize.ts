// Decides whether a change to a model's query can break what reads it. A change is non-breaking only when the
// new query is the old one with extra select-list entries: every old output column keeps its expression and
// the same rows come out, so models reading it need no rebuild. Everything else is breaking. The test works on
// normalized syntax trees (normalize.ts), so formatting and comments never count as changes. The old side
// only needs its shape (hashes of the tree without the select list and of each entry), which is what a
// stored snapshot keeps.

import crypto from 'node:crypto';
import { changedColumnsReason, type VersionColumns } from './changedColumns';
import { astText } from './normalize';

/** What the categorizer needs to know of an old query. */
export interface QueryShape {
  /** A single SELECT (not a set operation or VALUES). */
  select: boolean;
  /** Hash of the normalized tree without its select list (of the whole tree when it is no SELECT). */
  body: string;
  /** Hash of each select-list entry, in order. */
  items: string[];
  /** The select list holds an aggregate (outside window functions and subqueries). */
  aggregates: boolean;
  /**
   * Hash of the tree without its select list and without its CTEs, and the shape of each CTE by name:
   * what lets a column added inside a CTE count as non-breaking. Absent in versions planned before.
   */
  outer?: string;
  ctes?: Record<string, QueryShape>;
  /** For a CTE: hash of its own settings (column aliases, MATERIALIZED). */
  settings?: string;
}

/**
 * How changes are categorized. `sqlmesh` (the default) agrees with SQLMesh: a column added inside a CTE, an
 * incremental kind switched between by-time-range and by-unique-key over the same query, and a column added
 * to a seed whose other values are unchanged are non-breaking. `strict` counts those as breaking.
 */
export type CategorizeMode = 'sqlmesh' | 'strict';

export const CATEGORIZE_MODES: readonly CategorizeMode[] = ['sqlmesh', 'strict'];

export interface Categorization {
  category: 'breaking' | 'non_breaking';
  reason: string;
}

type Node = Record<string, unknown>;

const AGGREGATES = new Set([
  'sum', 'count', 'count_star', 'avg', 'mean', 'min', 'max', 'first', 'last', 'any_value', 'arg_min', 'arg_max',
  'argmin', 'argmax', 'min_by', 'max_by', 'list', 'array_agg', 'string_agg', 'group_concat', 'listagg', 'median',
  'mode', 'quantile', 'quantile_cont', 'quantile_disc', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop',
  'var_samp', 'approx_count_distinct', 'approx_quantile', 'bool_and', 'bool_or', 'bit_and', 'bit_or', 'bit_xor',
  'product', 'histogram', 'entropy', 'kurtosis', 'skewness', 'corr', 'covar_pop', 'covar_samp', 'fsum', 'sumkahan',
  'kahan_sum', 'favg', 'bitstring_agg', 'every', 'regr_avgx', 'regr_avgy', 'regr_count', 'regr_intercept', 'regr_r2',
  'regr_slope', 'regr_sxx', 'regr_sxy', 'regr_syy', 'count_if', 'countif', 'sum_no_overflow', 'geomean',
]);

/** Functions producing several rows per input row when used in a select list. */
const ROW_GENERATORS = new Set(['unnest', 'generate_subscripts']);

const breaking = (reason: string): Categorization => ({ category: 'breaking', reason });

function hash(text: string): string {
  return crypto.createHash('sha1').update(text).digest('hex').slice(0, 16);
}

/** The shape of a normalized query tree. */
export function queryShape(tree: unknown): QueryShape {
  if (!isSelect(tree)) return { select: false, body: hash(astText(tree)), items: [], aggregates: false };
  const items = selectList(tree);
  const shape: QueryShape = { select: true, body: hash(astText(withoutSelectList(tree))), items: items.map((i) => hash(astText(i))), aggregates: items.some(containsAggregate) };
  const { cte_map: _ctes, ...outer } = withoutSelectList(tree);
  shape.outer = hash(astText(outer));
  shape.ctes = {};
  for (const [name, cte] of cteEntries(tree)) shape.ctes[name] = cteShape(cte);
  return shape;
}

/** A CTE's shape: its query's, plus its own settings (column aliases, MATERIALIZED). */
function cteShape(cte: Node): QueryShape {
  const { query, ...settings } = cte;
  return { ...queryShape((query as Node | undefined)?.node), settings: hash(astText(settings)) };
}

function cteEntries(node: Node): [string, Node][] {
  const map = (node.cte_map as { map?: { key?: unknown; value?: unknown }[] } | undefined)?.map;
  return Array.isArray(map) ? map.map((e) => [String(e.key), e.value as Node]) : [];
}

/**
 * Categorizes a change from an old query (its shape) to a new normalized query tree of the same model. The
 * versions' output columns, when given, let a breaking reason name the columns it is about.
 */
export function categorizeQueryChange(old: QueryShape, newQuery: unknown, columns?: VersionColumns, mode: CategorizeMode = 'sqlmesh'): Categorization {
  const next = queryShape(newQuery);
  if (!old.select || !next.select || !isSelect(newQuery)) return breaking('the query is not a single SELECT (set operation or VALUES)');
  let cteColumns: string[] = [];
  if (old.body !== next.body) {
    const ctes = mode === 'sqlmesh' ? cteAdditions(old, newQuery) : undefined;
    if (!ctes) return breaking('the query changed outside its select list (FROM, JOIN, WHERE, GROUP BY, ...)');
    // `SELECT DISTINCT *` or `GROUP BY ALL` over a star picks the new CTE column up and changes the rows.
    if (someNode(newQuery, (n) => isSelect(n) && rowsDependOnStar(n), () => false)) {
      return breaking('a column added inside a CTE reaches a SELECT DISTINCT * or GROUP BY ALL, which changes the rows');
    }
    cteColumns = ctes;
  }
  if (cteColumns.length > 0 && old.items.join() === next.items.join()) {
    return { category: 'non_breaking', reason: `only new columns were added inside ${cteColumns.length === 1 ? 'CTE' : 'CTEs'} ${cteColumns.join(', ')}` };
  }
  return categorizeSelectList(old, newQuery, next, columns);
}

/**
 * When the query outside its CTEs is unchanged and every changed CTE only gained columns (non-breaking by
 * the same rules, applied to the CTE's query), the names of those CTEs; else undefined.
 */
function cteAdditions(old: QueryShape, newQuery: Node): string[] | undefined {
  const next = queryShape(newQuery);
  if (!old.ctes || old.outer === undefined || old.outer !== next.outer) return undefined;
  const newCtes = new Map(cteEntries(newQuery));
  if (Object.keys(old.ctes).join() !== [...newCtes.keys()].join()) return undefined;
  const changed: string[] = [];
  for (const [name, oldCte] of Object.entries(old.ctes)) {
    const cte = newCtes.get(name)!;
    const newCte = cteShape(cte);
    if (JSON.stringify(oldCte) === JSON.stringify(newCte)) continue;
    if (oldCte.settings !== newCte.settings) return undefined;
    if (categorizeQueryChange(oldCte, (cte.query as Node | undefined)?.node, undefined, 'sqlmesh').category !== 'non_breaking') return undefined;
    changed.push(name);
  }
  return changed;
}

function categorizeSelectList(old: QueryShape, newQuery: Node, next: QueryShape, columns?: VersionColumns): Categorization {
  const oldItems = old.items;
  const newList = selectList(newQuery);
  const newItems = next.items;
  const added = addedPositions(oldItems, newItems);
  if (!added) return breaking(changedColumnsReason(oldItems, newItems, columns));
  if (added.length === 0) return breaking('the select list is the same but the query changed');
  const addedNodes = added.map((i) => newList[i]);

  if (hasPlainDistinct(newQuery)) return breaking('SELECT DISTINCT: a new column changes which rows come out');
  const grouped = hasGroupBy(newQuery);
  if (newQuery.aggregate_handling === 'FORCE_AGGREGATES' && !addedNodes.every(isAggregateCall)) {
    return breaking('GROUP BY ALL: a new non-aggregate column changes the grouping');
  }
  if (!grouped && !old.aggregates && addedNodes.some(containsAggregate)) {
    return breaking('a new aggregate turns the query into an aggregation');
  }
  if (addedNodes.some(containsRowGenerator)) return breaking('a new column unnests a list, which changes the number of rows');
  const appendedAtEnd = added.every((position, i) => position === oldItems.length + i);
  if (!appendedAtEnd && usesPositions(newQuery)) {
    return breaking('GROUP BY / ORDER BY by position: a column inserted before others shifts the positions');
  }
  return { category: 'non_breaking', reason: `only new columns were added (${added.length})` };
}

function rowsDependOnStar(node: Node): boolean {
  const star = selectList(node).some((item) => item.class === 'STAR');
  return star && (hasPlainDistinct(node) || node.aggregate_handling === 'FORCE_AGGREGATES');
}

function isSelect(node: unknown): node is Node {
  return typeof node === 'object' && node !== null && (node as Node).type === 'SELECT_NODE';
}

function selectList(node: Node): Node[] {
  return Array.isArray(node.select_list) ? (node.select_list as Node[]) : [];
}

function withoutSelectList(node: Node): Node {
  const { select_list: _ignored, ...rest } = node;
  return rest;
}

/** Positions in `next` of the items that are not in `prev`, when `prev` is a subsequence of `next`; else undefined. */
export function addedPositions(prev: readonly string[], next: readonly string[]): number[] | undefined {
  const added: number[] = [];
  let i = 0;
  for (let j = 0; j < next.length; j++) {
    if (i < prev.length && prev[i] === next[j]) i++;
    else added.push(j);
  }
  return i === prev.length ? added : undefined;
}

function modifiers(node: Node): Node[] {
  return Array.isArray(node.modifiers) ? (node.modifiers as Node[]) : [];
}

function hasPlainDistinct(node: Node): boolean {
  return modifiers(node).some((m) => m.type === 'DISTINCT_MODIFIER' && !(Array.isArray(m.distinct_on_targets) && m.distinct_on_targets.length > 0));
}

function groupExpressions(node: Node): unknown[] {
  return Array.isArray(node.group_expressions) ? node.group_expressions : [];
}

function hasGroupBy(node: Node): boolean {
  return groupExpressions(node).length > 0;
}

function isAggregateCall(node: Node): boolean {
  return node.class === 'AGGREGATE' || (node.class === 'FUNCTION' && AGGREGATES.has(String(node.function_name)));
}

/** An aggregate call anywhere in an expression, except inside window functions and subqueries. */
function containsAggregate(node: unknown): boolean {
  return someNode(node, (n) => isAggregateCall(n), (n) => n.class === 'WINDOW' || n.class === 'SUBQUERY');
}

function containsRowGenerator(node: unknown): boolean {
  return someNode(node, (n) => n.class === 'FUNCTION' && ROW_GENERATORS.has(String(n.function_name)), (n) => n.class === 'SUBQUERY');
}

/** GROUP BY 1, ORDER BY 2, DISTINCT ON (1): integer constants that mean select-list positions. */
function usesPositions(node: Node): boolean {
  const groups = groupExpressions(node);
  const orderExpressions: unknown[] = [];
  for (const m of modifiers(node)) {
    if (Array.isArray(m.orders)) for (const o of m.orders as Node[]) orderExpressions.push(o.expression);
    if (Array.isArray(m.distinct_on_targets)) orderExpressions.push(...m.distinct_on_targets);
  }
  return [...groups, ...orderExpressions].some((e) => {
    const n = e as Node | undefined;
    const value = n?.value as { type?: { id?: string } } | undefined;
    return n?.class === 'CONSTANT' && /INT/.test(value?.type?.id ?? '');
  });
}

function someNode(node: unknown, match: (n: Node) => boolean, stop: (n: Node) => boolean): boolean {
  if (Array.isArray(node)) return node.some((n) => someNode(n, match, stop));
  if (typeof node !== 'object' || node === null) return false;
  const n = node as Node;
  if (match(n)) return true;
  if (stop(n)) return false;
  for (const key of Object.keys(n)) if (someNode(n[key], match, stop)) return true;
  return false;
}
