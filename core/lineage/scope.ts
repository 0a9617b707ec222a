// What the resolution pass produces: every query block as a scope with its FROM relations and output
// columns, every column reference bound to the relation (or select-list item) it reads. The lineage
// pass walks this structure; it never looks names up itself.

import type { ExpressionNode, QueryNode, SelectNode, SetOperationNode } from '../sql/ast';
import type { SqlDiagnostic } from '../sql/diagnostic';
import type { QualifiedName } from './types';

interface RelationBase {
  /** The name columns are qualified with: the alias, or the table name. Lower-case. */
  name: string;
  /** Column names in order; undefined when they cannot be known (unknown table, file reader). */
  columns?: string[];
}

/** A base table (or a model or view: anything the catalog describes). */
export interface TableRelation extends RelationBase {
  kind: 'table';
  table: QualifiedName;
  schema: string;
  tableName: string;
  /** True when the FROM clause gave it an alias, which hides the schema-qualified name. */
  aliased: boolean;
  /** The table's own column names when `AS x(a, b)` renamed some: columns[i] reads originalColumns[i]. */
  originalColumns?: string[];
}

/** A subquery or CTE in FROM. */
export interface DerivedRelation extends RelationBase {
  kind: 'derived';
  scope: Scope;
  columns: string[];
}

/** A table function (unnest, range, read_csv ...): its columns come from its arguments. */
export interface FunctionRelation extends RelationBase {
  kind: 'function';
  args: ExpressionNode[];
}

/** VALUES (...), (...): column i comes from the i-th expression of every row. */
export interface ValuesRelation extends RelationBase {
  kind: 'values';
  rows: ExpressionNode[][];
  columns: string[];
}

/** PIVOT / UNPIVOT: each produced column reads some pivot expressions and some input columns. */
export interface PivotRelation extends RelationBase {
  kind: 'pivot';
  /** Relations of the pivoted input. */
  inputs: Relation[];
  /** What each known output column reads. */
  derivations: Map<string, PivotDerivation>;
  /** What any other column (when the output list is unknown) may read. */
  fallback: PivotDerivation;
}

export interface PivotDerivation {
  /** Expressions bound against the inputs (aggregates, pivoted columns). */
  exprs: ExpressionNode[];
  /** Input columns read as they are. */
  inputColumns: string[];
}

export type Relation = TableRelation | DerivedRelation | FunctionRelation | ValuesRelation | PivotRelation;

export type Binding =
  | { kind: 'column'; relation: Relation; column: string }
  /** A column merged by JOIN ... USING or NATURAL JOIN: its value comes from every side. */
  | { kind: 'merged'; members: Binding[] }
  /** A relation used as a value (SELECT t FROM t): every column of it. */
  | { kind: 'row'; relation: Relation }
  /** A select-list item referenced by alias or position (WHERE, GROUP BY, ORDER BY, later items). */
  | { kind: 'output'; scope: Scope; index: number }
  /** A lambda parameter: no table column. */
  | { kind: 'lambda' }
  | { kind: 'unresolved' };

export type Output =
  /** An expression; substitutions give the column each COLUMNS(...) inside it stands for. */
  | { kind: 'expr'; name: string; expr: ExpressionNode; substitutions?: Map<ExpressionNode, Binding> }
  /** A column produced by expanding * or t.*. */
  | { kind: 'column'; name: string; binding: Binding }
  /** A set operation's column: the matching column of each branch. */
  | { kind: 'branches'; name: string; parts: { scope: Scope; index: number }[] };

interface ScopeBase {
  outputs: Output[];
  /** Expressions that decide which rows come out (WHERE, ON, GROUP BY, HAVING, QUALIFY, ...). */
  rowExpressions: ExpressionNode[];
  /** Select-list items that decide which rows come out (GROUP BY 1, ORDER BY alias with LIMIT). */
  rowOutputs: number[];
}

export interface SelectScope extends ScopeBase {
  kind: 'select';
  node: SelectNode;
  relations: Relation[];
  /** Merged USING / NATURAL columns: join keys, so row filters. */
  joinKeys: Binding[];
  /** GROUP BY ALL: every output without an aggregate is a group key. */
  groupByAll: boolean;
  /** Relations whose columns a * could not list; unknown columns read through this scope come from them. */
  openStars: Relation[];
}

export interface SetOperationScope extends ScopeBase {
  kind: 'setop';
  node: SetOperationNode;
  branches: Scope[];
}

/** WITH RECURSIVE: the anchor branch, and the step branch that reads the CTE itself. */
export interface RecursiveScope extends ScopeBase {
  kind: 'recursive';
  node: QueryNode;
  anchor: Scope;
  step?: Scope;
  /** Every scope created while resolving the step; their lineage is recomputed until it settles. */
  stepScopes: Scope[];
}

export type Scope = SelectScope | SetOperationScope | RecursiveScope;

export interface ResolvedQuery {
  root: Scope;
  /** COLUMN_REF and POSITIONAL_REFERENCE nodes to what they read. */
  bindings: Map<ExpressionNode, Binding>;
  /** Stars inside expressions (outside a COLUMNS expansion) to every column they cover. */
  starBindings: Map<ExpressionNode, Binding[]>;
  /** SUBQUERY expressions to their scope. */
  subqueries: Map<ExpressionNode, Scope>;
  tables: Set<QualifiedName>;
  diagnostics: SqlDiagnostic[];
}
