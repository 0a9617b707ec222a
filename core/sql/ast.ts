// Typed views over the JSON syntax tree DuckDB's json_serialize_sql produces. Only the fields Sluice
// reads are typed; everything else stays reachable through the index signature so that unknown node
// kinds can still be walked generically. Fields DuckDB leaves empty or null may be absent (the parser
// asks DuckDB to skip them).

export interface ExpressionNode {
  class: string;
  type: string;
  alias?: string;
  query_location?: number;
  [key: string]: unknown;
}

export interface ColumnRefExpression extends ExpressionNode {
  class: 'COLUMN_REF';
  column_names: string[];
}

export interface ConstantExpression extends ExpressionNode {
  class: 'CONSTANT';
  value: { type?: { id?: string }; is_null?: boolean; value?: unknown };
}

export interface OrderByNode {
  type: string;
  null_order?: string;
  expression: ExpressionNode;
}

export interface FunctionExpression extends ExpressionNode {
  class: 'FUNCTION';
  function_name: string;
  schema?: string;
  children?: ExpressionNode[];
  filter?: ExpressionNode;
  order_bys?: { orders?: OrderByNode[] };
  distinct?: boolean;
  is_operator?: boolean;
}

export interface WindowExpression extends ExpressionNode {
  class: 'WINDOW';
  function_name: string;
  children?: ExpressionNode[];
  partitions?: ExpressionNode[];
  orders?: OrderByNode[];
  start_expr?: ExpressionNode;
  end_expr?: ExpressionNode;
  offset_expr?: ExpressionNode;
  default_expr?: ExpressionNode;
  filter_expr?: ExpressionNode;
  arg_orders?: OrderByNode[];
}

export interface QualifiedColumnName {
  catalog?: string;
  schema?: string;
  table?: string;
  column: string;
}

export interface StarExpression extends ExpressionNode {
  class: 'STAR';
  relation_name?: string;
  exclude_list?: string[];
  qualified_exclude_list?: QualifiedColumnName[];
  replace_list?: { key: string; value: ExpressionNode }[];
  rename_list?: { key: QualifiedColumnName; value: string }[];
  /** COLUMNS(...) rather than a plain star. */
  columns?: boolean;
  /** The argument of COLUMNS(...): a regex constant, a lambda, or a list. */
  expr?: ExpressionNode;
}

export type SubqueryKind = 'SCALAR' | 'EXISTS' | 'NOT_EXISTS' | 'ANY' | string;

export interface SubqueryExpression extends ExpressionNode {
  class: 'SUBQUERY';
  subquery_type: SubqueryKind;
  subquery: { node: QueryNode };
  child?: ExpressionNode;
}

export interface LambdaExpression extends ExpressionNode {
  class: 'LAMBDA';
  lhs: ExpressionNode;
  expr: ExpressionNode;
}

export interface CastExpression extends ExpressionNode {
  class: 'CAST';
  child: ExpressionNode;
  cast_type?: { id?: string };
  try_cast?: boolean;
}

export interface CaseExpression extends ExpressionNode {
  class: 'CASE';
  case_checks?: { when_expr: ExpressionNode; then_expr: ExpressionNode }[];
  else_expr?: ExpressionNode;
}

export interface PositionalReferenceExpression extends ExpressionNode {
  class: 'POSITIONAL_REFERENCE';
  index: number;
}

// ---- query nodes ----

export interface CteEntry {
  key: string;
  value: { aliases?: string[]; query: { node: QueryNode }; materialized?: string };
}

export interface ResultModifier {
  type: 'ORDER_MODIFIER' | 'LIMIT_MODIFIER' | 'LIMIT_PERCENT_MODIFIER' | 'DISTINCT_MODIFIER' | string;
  orders?: OrderByNode[];
  distinct_on_targets?: ExpressionNode[];
  limit?: ExpressionNode;
  offset?: ExpressionNode;
  [key: string]: unknown;
}

interface QueryNodeBase {
  type: string;
  modifiers?: ResultModifier[];
  cte_map?: { map?: CteEntry[] };
  [key: string]: unknown;
}

export interface SelectNode extends QueryNodeBase {
  type: 'SELECT_NODE';
  select_list?: ExpressionNode[];
  from_table?: TableRef;
  where_clause?: ExpressionNode;
  group_expressions?: ExpressionNode[];
  group_sets?: number[][];
  /** FORCE_AGGREGATES means GROUP BY ALL. */
  aggregate_handling?: string;
  having?: ExpressionNode;
  qualify?: ExpressionNode;
}

export interface SetOperationNode extends QueryNodeBase {
  type: 'SET_OPERATION_NODE';
  setop_type: 'UNION' | 'EXCEPT' | 'INTERSECT' | 'UNION_BY_NAME' | string;
  setop_all?: boolean;
  left?: QueryNode;
  right?: QueryNode;
  /** Some DuckDB versions list the branches instead of left/right. */
  children?: QueryNode[];
}

export interface RecursiveCteNode extends QueryNodeBase {
  type: 'RECURSIVE_CTE_NODE';
  cte_name: string;
  union_all?: boolean;
  left: QueryNode;
  right: QueryNode;
  aliases?: string[];
}

export type QueryNode = SelectNode | SetOperationNode | RecursiveCteNode | (QueryNodeBase & { type: string });

// ---- table references (FROM) ----

interface TableRefBase {
  type: string;
  alias?: string;
  query_location?: number;
  column_name_alias?: string[];
  [key: string]: unknown;
}

export interface BaseTableRef extends TableRefBase {
  type: 'BASE_TABLE';
  catalog_name?: string;
  schema_name?: string;
  table_name: string;
}

export interface JoinRef extends TableRefBase {
  type: 'JOIN';
  left: TableRef;
  right: TableRef;
  condition?: ExpressionNode;
  join_type?: string;
  /** REGULAR, NATURAL, CROSS, POSITIONAL, ASOF, DEPENDENT. */
  ref_type?: string;
  using_columns?: string[];
}

export interface SubqueryRef extends TableRefBase {
  type: 'SUBQUERY';
  subquery: { node: QueryNode };
}

export interface TableFunctionRef extends TableRefBase {
  type: 'TABLE_FUNCTION';
  function: ExpressionNode;
}

export interface ExpressionListRef extends TableRefBase {
  type: 'EXPRESSION_LIST';
  values?: ExpressionNode[][];
  expected_names?: string[];
}

export interface PivotRef extends TableRefBase {
  type: 'PIVOT';
  source: TableRef;
  aggregates?: ExpressionNode[];
  unpivot_names?: string[];
  pivots?: { pivot_expressions?: ExpressionNode[]; unpivot_names?: string[]; entries?: unknown[] }[];
  groups?: string[];
}

export type TableRef =
  | BaseTableRef
  | JoinRef
  | SubqueryRef
  | TableFunctionRef
  | ExpressionListRef
  | PivotRef
  | (TableRefBase & { type: string });

// ---- guards ----

export function isExpression(value: unknown): value is ExpressionNode {
  return typeof value === 'object' && value !== null && typeof (value as { class?: unknown }).class === 'string';
}

export const isColumnRef = (e: ExpressionNode): e is ColumnRefExpression => e.class === 'COLUMN_REF';
export const isConstant = (e: ExpressionNode): e is ConstantExpression => e.class === 'CONSTANT';
export const isFunction = (e: ExpressionNode): e is FunctionExpression => e.class === 'FUNCTION';
export const isWindow = (e: ExpressionNode): e is WindowExpression => e.class === 'WINDOW';
export const isStar = (e: ExpressionNode): e is StarExpression => e.class === 'STAR';
export const isSubquery = (e: ExpressionNode): e is SubqueryExpression => e.class === 'SUBQUERY';
export const isLambda = (e: ExpressionNode): e is LambdaExpression => e.class === 'LAMBDA';
export const isCast = (e: ExpressionNode): e is CastExpression => e.class === 'CAST';
export const isCase = (e: ExpressionNode): e is CaseExpression => e.class === 'CASE';
export const isPositionalReference = (e: ExpressionNode): e is PositionalReferenceExpression =>
  e.class === 'POSITIONAL_REFERENCE';

export const isSelectNode = (n: QueryNode): n is SelectNode => n.type === 'SELECT_NODE';
export const isSetOperationNode = (n: QueryNode): n is SetOperationNode => n.type === 'SET_OPERATION_NODE';
export const isRecursiveCteNode = (n: QueryNode): n is RecursiveCteNode => n.type === 'RECURSIVE_CTE_NODE';

export const isBaseTable = (t: TableRef): t is BaseTableRef => t.type === 'BASE_TABLE';
export const isJoin = (t: TableRef): t is JoinRef => t.type === 'JOIN';
export const isSubqueryRef = (t: TableRef): t is SubqueryRef => t.type === 'SUBQUERY';
export const isTableFunction = (t: TableRef): t is TableFunctionRef => t.type === 'TABLE_FUNCTION';
export const isExpressionList = (t: TableRef): t is ExpressionListRef => t.type === 'EXPRESSION_LIST';
export const isPivot = (t: TableRef): t is PivotRef => t.type === 'PIVOT';

// ---- small accessors ----

/** The integer in a constant, if it is one (GROUP BY 1, ORDER BY 2). */
export function integerConstant(e: ExpressionNode): number | undefined {
  if (!isConstant(e) || e.value?.is_null) return undefined;
  const v = e.value?.value;
  const id = e.value?.type?.id ?? '';
  if (!/INT/.test(id)) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

/** The string in a constant, if it is one. */
export function stringConstant(e: ExpressionNode | undefined): string | undefined {
  if (!e || !isConstant(e) || e.value?.is_null) return undefined;
  const v = e.value?.value;
  return typeof v === 'string' ? v : undefined;
}

/** Branches of a set operation, flattened across versions that use left/right or children. */
export function setOperationBranches(node: SetOperationNode): QueryNode[] {
  if (Array.isArray(node.children) && node.children.length > 0) return node.children;
  return [node.left, node.right].filter((n): n is QueryNode => n !== undefined);
}

export function cteEntries(node: QueryNode): CteEntry[] {
  return node.cte_map?.map ?? [];
}

export function modifiers(node: QueryNode): ResultModifier[] {
  return node.modifiers ?? [];
}

/**
 * The way an expression's children take part in its value. 'value' children feed the result;
 * 'filter' children only decide which input rows count (an aggregate's FILTER (WHERE ...)).
 */
export type ChildRole = 'value' | 'filter';

/**
 * Calls visit for each direct child expression of e, with its role. Subquery bodies, lambda bodies and
 * COLUMNS(...) arguments are not visited here: they introduce names of their own and callers handle
 * them. Unknown node kinds are walked field by field so new DuckDB syntax still yields its columns.
 */
export function forEachChild(e: ExpressionNode, visit: (child: ExpressionNode, role: ChildRole) => void): void {
  switch (e.class) {
    case 'COLUMN_REF':
    case 'CONSTANT':
    case 'PARAMETER':
    case 'POSITIONAL_REFERENCE':
    case 'DEFAULT':
    case 'STAR':
      return;
    case 'SUBQUERY': {
      const child = (e as SubqueryExpression).child;
      if (child) visit(child, 'value');
      return;
    }
    case 'LAMBDA':
      return;
    case 'FUNCTION': {
      const f = e as FunctionExpression;
      for (const c of f.children ?? []) visit(c, 'value');
      for (const o of f.order_bys?.orders ?? []) if (o.expression) visit(o.expression, 'value');
      if (f.filter) visit(f.filter, 'filter');
      return;
    }
    case 'WINDOW': {
      const w = e as WindowExpression;
      for (const c of w.children ?? []) visit(c, 'value');
      for (const c of w.partitions ?? []) visit(c, 'value');
      for (const o of w.orders ?? []) if (o.expression) visit(o.expression, 'value');
      for (const o of w.arg_orders ?? []) if (o.expression) visit(o.expression, 'value');
      for (const c of [w.start_expr, w.end_expr, w.offset_expr, w.default_expr]) if (c) visit(c, 'value');
      if (w.filter_expr) visit(w.filter_expr, 'filter');
      return;
    }
    default:
      walkFields(e, visit, true);
  }
}

function walkFields(value: unknown, visit: (child: ExpressionNode, role: ChildRole) => void, top: boolean): void {
  if (Array.isArray(value)) {
    for (const v of value) walkFields(v, visit, false);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (!top && isExpression(value)) {
    visit(value, 'value');
    return;
  }
  for (const key in value) {
    if (key === 'subquery' || key === 'cast_type') continue;
    walkFields((value as Record<string, unknown>)[key], visit, false);
  }
}

/** Calls visit on every object in a serialized tree (DuckDB's JSON), parents before children. */
export function forEachObject(value: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) forEachObject(item, visit);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const node = value as Record<string, unknown>;
  visit(node);
  for (const key in node) forEachObject(node[key], visit);
}
