// Prints DuckDB's syntax tree (json_serialize_sql) as SQL of a target dialect. Every node kind is printed
// explicitly; a node kind or a feature the target lacks is refused with its position, so the output is
// either the same query in the target's words or nothing. Clause rewrites (QUALIFY, GROUP BY ALL, star
// EXCLUDE/REPLACE) are in the select printing below; functions are in functions.ts, types in typeNames.ts.

import {
  type CaseExpression,
  type CastExpression,
  type ColumnRefExpression,
  type ConstantExpression,
  type ExpressionNode,
  type FunctionExpression,
  type OrderByNode,
  type QueryNode,
  type ResultModifier,
  type SelectNode,
  type SetOperationNode,
  type StarExpression,
  type SubqueryExpression,
  type TableRef,
  type WindowExpression,
  cteEntries,
  forEachChild,
  isBaseTable,
  isColumnRef,
  isExpressionList,
  isJoin,
  isRecursiveCteNode,
  isSelectNode,
  isSetOperationNode,
  isStar,
  isSubqueryRef,
  isTableFunction,
  isWindow,
  modifiers,
  setOperationBranches,
} from '../sql/ast';
import { COMPARISON_OPERATORS } from '../sql/expressionName';
import { ColumnResolver, type CteScope, expandStar, outputName, type Relation, withCtes } from './columns';
import type { DialectRules } from './dialects';
import { printExtract, printFunction, printIntervalCast, printWindowFunction } from './functions';
import { dialectTitle, typeName, type TypeNode } from './typeNames';
import type { TranspileOptions } from './types';

/** A refusal: the node's DuckDB byte offset (query_location) and why. */
export interface Refusal {
  location?: number;
  message: string;
}


// Names DuckDB reads as special values when no column has them (it serializes them as column references).
const SPECIAL_VALUES: Record<string, string> = {
  current_date: 'CURRENT_DATE',
  current_timestamp: 'CURRENT_TIMESTAMP',
  current_time: 'CURRENT_TIME',
  localtimestamp: 'LOCALTIMESTAMP',
};

const HIDDEN_PREFIX = '_sluice_';

export class Printer {
  readonly refusals: Refusal[] = [];
  private readonly columns: ColumnResolver;
  /** Nodes printed as something else (QUALIFY's windows become columns of the subquery). */
  private readonly substitutes = new Map<ExpressionNode, string>();
  /** The innermost node with a location, for refusals about nodes that have none. */
  private location?: number;
  private hiddenCount = 0;

  constructor(
    readonly dialect: DialectRules,
    options: TranspileOptions,
    private readonly aggregates: ReadonlySet<string>,
  ) {
    this.columns = new ColumnResolver(options);
  }

  get native(): boolean {
    return this.dialect.name === 'duckdb';
  }

  refuse(message: string, node?: object): string {
    const location = (node ? firstLocation(node) : undefined) ?? this.location;
    this.refusals.push({ location, message });
    return '/* not rendered */';
  }

  /** "PostgreSQL has no X" with the dialect's name. */
  lacks(what: string, node?: object): string {
    return this.refuse(`${dialectTitle(this.dialect.name)} has no ${what}`, node);
  }

  ident(name: string): string {
    return this.dialect.quoteIdent(name);
  }

  string(value: string): string {
    return this.dialect.stringLiteral(value);
  }

  // ---- queries ----

  query(node: QueryNode, scope: CteScope = []): string {
    const inner = withCtes(node, scope);
    const ctes = this.ctes(node, inner);
    let body: string;
    if (isSelectNode(node)) body = this.select(node, inner);
    else if (isSetOperationNode(node)) body = this.setOperation(node, inner) + this.modifiers(node);
    else if (isRecursiveCteNode(node)) body = this.refuse('a recursive CTE here is not supported');
    else body = this.refuse(`a ${node.type} query is not supported`);
    return ctes + body;
  }

  private ctes(node: QueryNode, scope: CteScope): string {
    const entries = cteEntries(node);
    if (entries.length === 0) return '';
    let recursive = false;
    const parts = entries.map((e) => {
      const body = e.value.query.node;
      let text: string;
      if (isRecursiveCteNode(body)) {
        recursive = true;
        const op = this.dialect.explicitSetDistinct && !body.union_all ? 'UNION DISTINCT' : body.union_all ? 'UNION ALL' : 'UNION';
        text = `${this.query(body.left, scope)} ${op} ${this.query(body.right, scope)}`;
      } else text = this.query(body, scope);
      const aliases = e.value.aliases ?? [];
      let head = this.ident(e.key);
      if (aliases.length > 0) head += this.dialect.columnAliases ? `(${aliases.map((a) => this.ident(a)).join(', ')})` : this.lacks('column list on a CTE name');
      return `${head} AS (${text})`;
    });
    return `WITH ${recursive ? 'RECURSIVE ' : ''}${parts.join(', ')} `;
  }

  private setOperation(node: SetOperationNode, scope: CteScope): string {
    const branches = setOperationBranches(node as SetOperationNode);
    let op: string;
    switch (node.setop_type) {
      case 'UNION': op = 'UNION'; break;
      case 'EXCEPT': op = 'EXCEPT'; break;
      case 'INTERSECT': op = 'INTERSECT'; break;
      default: return this.refuse(`${node.setop_type.replace(/_/g, ' ')} is not supported outside DuckDB`, branches[branches.length - 1]);
    }
    if (this.native) op += node.setop_all ? ' ALL' : '';
    else if (node.setop_all) op += op === 'UNION' || this.dialect.setAll ? ' ALL' : this.lacks(`${op} ALL`, branches[branches.length - 1]);
    else if (this.dialect.explicitSetDistinct) op += ' DISTINCT';
    return branches.map((b) => (isSelectNode(b) && modifiers(b).length === 0 && cteEntries(b).length === 0 ? this.query(b, scope) : `(${this.query(b, scope)})`)).join(` ${op} `);
  }

  private select(node: SelectNode, scope: CteScope): string {
    const relations = this.columns.relations(node.from_table, scope);
    // Rewrites that name the select items one by one need a star spelled out.
    const spellOut = (node.qualify !== undefined && !this.dialect.qualify) || (node.aggregate_handling === 'FORCE_AGGREGATES' && !this.dialect.groupByAll);
    const items = this.selectItems(node, relations, spellOut);
    if (node.qualify && !this.dialect.qualify) return this.qualifyAsSubquery(node, scope, relations, items);
    return this.selectCore(node, scope, items, true) + this.modifiers(node);
  }

  /** The select list, with stars the target cannot write spelled out. Each item is printed text plus its name. */
  private selectItems(node: SelectNode, relations: Relation[], spellOut: boolean): { sql: string; name?: string; expr?: ExpressionNode }[] {
    const out: { sql: string; name?: string; expr?: ExpressionNode }[] = [];
    for (const item of node.select_list ?? []) {
      if (isStar(item)) out.push(...this.star(item, relations, spellOut));
      else {
        const name = outputName(item);
        const sql = this.expr(item);
        // An unnamed expression keeps the target's own name for it, except where a rewrite must refer to it.
        const needsAlias = item.alias !== undefined || (!isColumnRef(item) && !this.native && node.qualify !== undefined && !this.dialect.qualify);
        out.push({ sql: needsAlias ? `${sql} AS ${this.ident(name)}` : sql, name, expr: item });
      }
    }
    return out;
  }

  private star(star: StarExpression, relations: Relation[], spellOut: boolean): { sql: string; name?: string }[] {
    this.enter(star);
    const excludes = [...(star.exclude_list ?? []), ...(star.qualified_exclude_list ?? []).map((q) => q.column)];
    const replaces = star.replace_list ?? [];
    if (star.columns) return [{ sql: this.refuse('COLUMNS(...) is not supported outside DuckDB', star) }];
    if (star.rename_list?.length && !this.native) return [{ sql: this.refuse('* RENAME is not supported outside DuckDB', star) }];
    const head = star.relation_name ? `${this.ident(star.relation_name)}.*` : '*';
    const canExclude = excludes.length === 0 || this.dialect.starExclude !== undefined;
    const canReplace = replaces.length === 0 || this.dialect.starReplace;
    if (canExclude && canReplace && !spellOut) {
      let sql = head;
      if (excludes.length > 0) sql += ` ${this.dialect.starExclude} (${excludes.map((c) => this.ident(c)).join(', ')})`;
      if (replaces.length > 0) sql += ` REPLACE (${replaces.map((r) => `${this.expr(r.value)} AS ${this.ident(r.key)}`).join(', ')})`;
      return [{ sql }];
    }
    const expanded = expandStar(star, relations);
    if (!expanded) {
      const of = star.relation_name ?? 'the FROM clause';
      if (canExclude && canReplace) return [{ sql: this.refuse(`the star must be spelled out for QUALIFY or GROUP BY ALL on ${dialectTitle(this.dialect.name)}, and the columns of ${of} are not known`, star) }];
      const what = excludes.length > 0 ? '* EXCLUDE' : '* REPLACE';
      return [{ sql: this.refuse(`${dialectTitle(this.dialect.name)} has no ${what}, and the columns of ${of} are not known to spell it out`, star) }];
    }
    const replaced = new Map(replaces.map((r) => [r.key.toLowerCase(), r.value]));
    return expanded.map((c) => {
      const value = replaced.get(c.name.toLowerCase());
      if (value) return { sql: `${this.expr(value)} AS ${this.ident(c.name)}`, name: c.name };
      return { sql: c.relation ? `${this.ident(c.relation)}.${this.ident(c.name)}` : this.ident(c.name), name: c.name };
    });
  }

  /** SELECT ... FROM ... WHERE ... GROUP BY ... HAVING [... QUALIFY], without ORDER BY / LIMIT. */
  private selectCore(node: SelectNode, scope: CteScope, items: { sql: string; expr?: ExpressionNode }[], withDistinct: boolean, extra: string[] = []): string {
    let sql = 'SELECT ';
    if (withDistinct) sql += this.distinct(node);
    sql += [...items.map((i) => i.sql), ...extra].join(', ');
    if (node.from_table && node.from_table.type !== 'EMPTY') sql += ` FROM ${this.tableRef(node.from_table, scope)}`;
    if (node.where_clause) sql += ` WHERE ${this.expr(node.where_clause)}`;
    sql += this.groupBy(node, items);
    if (node.having) sql += ` HAVING ${this.expr(node.having)}`;
    if (node.qualify && this.dialect.qualify) sql += ` QUALIFY ${this.expr(node.qualify)}`;
    return sql;
  }

  private distinct(node: QueryNode): string {
    const d = modifiers(node).find((m) => m.type === 'DISTINCT_MODIFIER');
    if (!d) return '';
    const on = d.distinct_on_targets ?? [];
    if (on.length === 0) return 'DISTINCT ';
    if (!this.dialect.distinctOn) return `${this.lacks('DISTINCT ON', on[0])} `;
    return `DISTINCT ON (${on.map((e) => this.expr(e)).join(', ')}) `;
  }

  private groupBy(node: SelectNode, items: { expr?: ExpressionNode }[]): string {
    if (node.aggregate_handling === 'FORCE_AGGREGATES') {
      if (this.dialect.groupByAll) return ' GROUP BY ALL';
      // GROUP BY ALL groups by every select item without an aggregate: written as their positions
      // (a spelled-out star's columns are plain columns; a star that could not be spelled out was refused).
      const positions = items.flatMap((item, i) => (item.expr && this.containsAggregate(item.expr) ? [] : [String(i + 1)]));
      return positions.length > 0 ? ` GROUP BY ${positions.join(', ')}` : '';
    }
    const groups = node.group_expressions ?? [];
    if (groups.length === 0) return '';
    const sets = node.group_sets ?? [groups.map((_, i) => i)];
    if (sets.length === 1 && sets[0].length === groups.length && sets[0].every((g, i) => g === i)) {
      return ` GROUP BY ${groups.map((g) => this.expr(g)).join(', ')}`;
    }
    // The parse tree is serialized without empty lists, so the empty grouping set of a ROLLUP or CUBE
    // cannot be told apart from its absence: rendering the sets could drop the grand total.
    return ` GROUP BY ${this.refuse('GROUPING SETS, ROLLUP and CUBE are not rendered for other engines yet', groups[0])}`;
  }

  /** Whether an expression aggregates (not counting subqueries, which aggregate on their own). */
  containsAggregate(e: ExpressionNode): boolean {
    if (e.class === 'FUNCTION' && this.aggregates.has((e as FunctionExpression).function_name.toLowerCase())) return true;
    if (e.class === 'SUBQUERY') return false;
    let found = false;
    forEachChild(e, (child) => {
      if (!found && this.containsAggregate(child)) found = true;
    });
    return found;
  }

  /**
   * QUALIFY for a target without it: the query runs as a subquery that also computes the filter's window
   * functions (and any column the filter or ORDER BY needs) as extra columns; the outer query keeps the
   * rows that pass, selects the original columns by name, and applies DISTINCT, ORDER BY and LIMIT, which
   * DuckDB evaluates after QUALIFY too.
   */
  private qualifyAsSubquery(node: SelectNode, scope: CteScope, relations: Relation[], items: { sql: string; name?: string; expr?: ExpressionNode }[]): string {
    const names = items.map((i) => i.name);
    if (names.some((n) => n === undefined)) return this.refuse('QUALIFY over a star needs the columns of the FROM clause, which are not known', node.qualify);
    const outputs = names as string[];
    const lower = outputs.map((n) => n.toLowerCase());
    if (new Set(lower).size !== lower.length) return this.refuse('QUALIFY cannot be rewritten for a select list with two columns of the same name', node.qualify);
    const extra: string[] = [];
    const lift = (e: ExpressionNode): void => {
      if (isWindow(e)) {
        const name = `${HIDDEN_PREFIX}q${++this.hiddenCount}`;
        extra.push(`${this.expr(e)} AS ${this.ident(name)}`);
        this.substitutes.set(e, this.ident(name));
        return;
      }
      if (isColumnRef(e)) {
        const parts = e.column_names;
        const at = parts.length === 1 ? lower.indexOf(parts[0].toLowerCase()) : -1;
        if (at >= 0) this.substitutes.set(e, this.ident(outputs[at]));
        else {
          const name = `${HIDDEN_PREFIX}q${++this.hiddenCount}`;
          extra.push(`${this.expr(e)} AS ${this.ident(name)}`);
          this.substitutes.set(e, this.ident(name));
        }
        return;
      }
      if (e.class === 'SUBQUERY') return;
      forEachChild(e, lift);
    };
    lift(node.qualify!);
    const orderMods = modifiers(node).filter((m) => m.type === 'ORDER_MODIFIER');
    for (const m of orderMods) for (const o of m.orders ?? []) if (!isPositional(o.expression)) lift(o.expression);
    const inner = this.selectCore(node, scope, items, false, extra);
    const alias = this.ident(`${HIDDEN_PREFIX}qualified`);
    let sql = `SELECT ${this.distinct(node)}${outputs.map((n) => this.ident(n)).join(', ')} FROM (${inner}) AS ${alias} WHERE ${this.expr(node.qualify!)}`;
    sql += this.modifiers(node);
    return sql;
  }

  private modifiers(node: QueryNode): string {
    let sql = '';
    for (const m of modifiers(node)) {
      if (m.type === 'ORDER_MODIFIER') sql += ` ORDER BY ${this.orderList(m.orders ?? [])}`;
      else if (m.type === 'LIMIT_MODIFIER') sql += this.limit(m);
      else if (m.type === 'DISTINCT_MODIFIER') continue;
      else sql += ` ${this.refuse(`${m.type.replace(/_MODIFIER$/, '').replace(/_/g, ' ')} is not supported outside DuckDB`)}`;
    }
    return sql;
  }

  private limit(m: ResultModifier): string {
    let sql = '';
    if (m.limit) sql += ` LIMIT ${this.expr(m.limit)}`;
    if (m.offset) {
      // BigQuery has OFFSET only after a LIMIT.
      if (!m.limit && this.dialect.name === 'bigquery') sql += ' LIMIT 9223372036854775807';
      sql += ` OFFSET ${this.expr(m.offset)}`;
    }
    return sql;
  }

  orderList(orders: readonly OrderByNode[]): string {
    return orders.map((o) => this.orderItem(o)).join(', ');
  }

  private orderItem(o: OrderByNode): string {
    let sql = this.expr(o.expression);
    if (o.type === 'DESCENDING') sql += ' DESC';
    else if (o.type === 'ASCENDING') sql += ' ASC';
    if (o.null_order === 'NULLS_FIRST' || o.null_order === 'NULLS FIRST') sql += ' NULLS FIRST';
    else if (o.null_order === 'NULLS_LAST' || o.null_order === 'NULLS LAST') sql += ' NULLS LAST';
    // DuckDB sorts NULLs last in both directions; the others put them first in one of them.
    else if (!this.native) sql += ' NULLS LAST';
    return sql;
  }

  // ---- FROM ----

  tableRef(ref: TableRef, scope: CteScope): string {
    this.enter(ref);
    let sql: string;
    if (isBaseTable(ref)) {
      sql = [ref.catalog_name, ref.schema_name, ref.table_name].filter((p): p is string => !!p).map((p) => this.ident(p)).join('.');
    } else if (isJoin(ref)) {
      return this.join(ref, scope);
    } else if (isSubqueryRef(ref)) {
      const body = ref.subquery.node;
      if (isSelectNode(body) && isExpressionList(body.from_table ?? { type: '' }) && (body.select_list ?? []).length === 1 && isStar(body.select_list![0])) {
        sql = this.values(body.from_table as TableRef & { values?: ExpressionNode[][] });
      } else sql = `(${this.query(body, scope)})`;
    } else if (isTableFunction(ref)) {
      if (!this.native) return this.refuse(`the table function ${(ref.function as FunctionExpression).function_name ?? ''}(...) is not supported outside DuckDB`, ref.function);
      sql = this.expr(ref.function);
    } else if (isExpressionList(ref)) {
      sql = this.values(ref);
    } else return this.refuse(`${ref.type.replace(/_/g, ' ')} in FROM is not supported outside DuckDB`, ref);
    return sql + this.tableAlias(ref);
  }

  private values(ref: { values?: ExpressionNode[][] }): string {
    if (this.dialect.name === 'bigquery') return this.lacks('VALUES list in FROM; use UNION ALL of SELECTs');
    return `(VALUES ${(ref.values ?? []).map((row) => `(${row.map((v) => this.expr(v)).join(', ')})`).join(', ')})`;
  }

  private tableAlias(ref: TableRef): string {
    let sql = '';
    const aliases = ref.column_name_alias ?? [];
    if (ref.alias) sql += ` AS ${this.ident(ref.alias)}`;
    else if (aliases.length > 0 || ref.type === 'SUBQUERY') sql += ` AS ${this.ident(`${HIDDEN_PREFIX}subquery`)}`;
    if (aliases.length > 0) sql += this.dialect.columnAliases ? `(${aliases.map((a) => this.ident(a)).join(', ')})` : ` ${this.lacks('column list after a table alias')}`;
    return sql;
  }

  private join(ref: TableRef & { left: TableRef; right: TableRef; condition?: ExpressionNode; join_type?: string; ref_type?: string; using_columns?: string[] }, scope: CteScope): string {
    const left = this.tableRef(ref.left, scope);
    const right = this.tableRef(ref.right, scope);
    const kind = ref.ref_type ?? 'REGULAR';
    if (kind === 'CROSS') return `${left} CROSS JOIN ${right}`;
    const types: Record<string, string> = { INNER: 'JOIN', LEFT: 'LEFT JOIN', RIGHT: 'RIGHT JOIN', OUTER: 'FULL OUTER JOIN' };
    let word = types[ref.join_type ?? 'INNER'];
    if (!word) return this.refuse(`${ref.join_type} JOIN is not supported outside DuckDB`, ref);
    if (kind === 'NATURAL') {
      if (!this.dialect.naturalJoin) return this.lacks('NATURAL JOIN', ref);
      word = `NATURAL ${word}`;
    } else if (kind !== 'REGULAR') {
      if (!this.native) return this.refuse(`${kind} JOIN is not supported outside DuckDB`, ref);
      word = `${kind} ${word}`;
    }
    let sql = `${left} ${word} ${right}`;
    if (ref.using_columns && ref.using_columns.length > 0) sql += ` USING (${ref.using_columns.map((c) => this.ident(c)).join(', ')})`;
    else if (ref.condition) sql += ` ON ${this.expr(ref.condition)}`;
    else if (kind === 'REGULAR') sql += ' ON TRUE';
    return sql;
  }

  // ---- expressions ----

  private enter(node: { query_location?: number }): void {
    if (typeof node.query_location === 'number' && node.query_location < 2 ** 40) this.location = node.query_location;
  }

  expr(e: ExpressionNode): string {
    const substitute = this.substitutes.get(e);
    if (substitute !== undefined) return substitute;
    const saved = this.location;
    this.enter(e);
    try {
      return this.exprInner(e);
    } finally {
      this.location = saved;
    }
  }

  private exprInner(e: ExpressionNode): string {
    switch (e.class) {
      case 'COLUMN_REF':
        return this.columnRef(e as ColumnRefExpression);
      case 'CONSTANT':
        return this.constant(e as ConstantExpression);
      case 'CAST':
        return this.cast(e as CastExpression);
      case 'COMPARISON':
        return `(${this.expr(e.left as ExpressionNode)} ${COMPARISON_OPERATORS[e.type] ?? this.refuse(`comparison ${e.type}`)} ${this.expr(e.right as ExpressionNode)})`;
      case 'CONJUNCTION': {
        const op = e.type === 'CONJUNCTION_OR' ? ' OR ' : ' AND ';
        return `(${(e.children as ExpressionNode[]).map((c) => this.expr(c)).join(op)})`;
      }
      case 'BETWEEN':
        return `(${this.expr(e.input as ExpressionNode)} BETWEEN ${this.expr(e.lower as ExpressionNode)} AND ${this.expr(e.upper as ExpressionNode)})`;
      case 'CASE':
        return this.caseExpr(e as CaseExpression);
      case 'OPERATOR':
        return this.operator(e);
      case 'FUNCTION':
        return printFunction(this, e as FunctionExpression);
      case 'WINDOW':
        return printWindowFunction(this, e as WindowExpression);
      case 'SUBQUERY':
        return this.subquery(e as SubqueryExpression);
      case 'STAR':
        return this.refuse('a star is only supported in the select list', e);
      case 'LAMBDA':
        return this.refuse('a lambda is only supported as the argument of a list function', e);
      case 'PARAMETER':
        return this.refuse('query parameters are not supported in models', e);
      default:
        return this.refuse(`${String(e.class).toLowerCase()} expressions are not supported outside DuckDB`, e);
    }
  }

  window(w: WindowExpression): string {
    const parts: string[] = [];
    if (w.partitions?.length) parts.push(`PARTITION BY ${w.partitions.map((p) => this.expr(p)).join(', ')}`);
    if (w.orders?.length) parts.push(`ORDER BY ${this.orderList(w.orders)}`);
    const frame = this.frame(w);
    if (frame) parts.push(frame);
    return `OVER (${parts.join(' ')})`;
  }

  private frame(w: WindowExpression): string {
    const start = String(w.start ?? 'UNBOUNDED_PRECEDING');
    const end = String(w.end ?? 'CURRENT_ROW_RANGE');
    if (start === 'UNBOUNDED_PRECEDING' && end === 'CURRENT_ROW_RANGE') return '';
    const unit = [start, end].find((b) => /_(ROWS|RANGE|GROUPS)$/.test(b))?.replace(/^.*_(ROWS|RANGE|GROUPS)$/, '$1') ?? 'ROWS';
    if (unit === 'GROUPS' && this.dialect.name !== 'postgres' && !this.native) return this.lacks('GROUPS window frames', w);
    const bound = (b: string, expr?: ExpressionNode): string => {
      if (b === 'UNBOUNDED_PRECEDING') return 'UNBOUNDED PRECEDING';
      if (b === 'UNBOUNDED_FOLLOWING') return 'UNBOUNDED FOLLOWING';
      if (b.startsWith('CURRENT_ROW')) return 'CURRENT ROW';
      if (b.startsWith('EXPR_PRECEDING') && expr) return `${this.expr(expr)} PRECEDING`;
      if (b.startsWith('EXPR_FOLLOWING') && expr) return `${this.expr(expr)} FOLLOWING`;
      return this.refuse(`window frame bound ${b}`, w);
    };
    if (w.exclude_clause && w.exclude_clause !== 'NO_OTHER' && this.dialect.name !== 'postgres' && !this.native) return this.lacks('EXCLUDE in window frames', w);
    return `${unit} BETWEEN ${bound(start, w.start_expr)} AND ${bound(end, w.end_expr)}`;
  }

  private columnRef(e: ColumnRefExpression): string {
    const parts = e.column_names;
    const special = parts.length === 1 ? SPECIAL_VALUES[parts[0].toLowerCase()] : undefined;
    if (special) return special;
    return parts.map((p) => this.ident(p)).join('.');
  }

  constant(e: ConstantExpression): string {
    const value = e.value;
    if (value?.is_null) return 'NULL';
    const id = value?.type?.id ?? '';
    const v = value?.value;
    if (id === 'VARCHAR') return this.string(String(v));
    if (id === 'BOOLEAN') return v ? 'TRUE' : 'FALSE';
    if (id === 'DECIMAL') {
      const scale = (value?.type as { type_info?: { scale?: number } })?.type_info?.scale ?? 0;
      return decimalText(String(v), scale);
    }
    if (/INT|DOUBLE|FLOAT/.test(id) && (typeof v === 'number' || typeof v === 'string' || typeof v === 'bigint')) {
      const text = String(v);
      if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text)) return text.startsWith('-') ? `(${text})` : text;
    }
    return this.refuse(`a constant of type ${id} is not supported outside DuckDB`, e);
  }

  private cast(e: CastExpression): string {
    const type = (e.cast_type ?? {}) as TypeNode;
    const child = e.child;
    // DuckDB reads `true` as the string 't' cast to BOOLEAN.
    if (type.id === 'BOOLEAN' && child.class === 'CONSTANT') {
      const v = (child as ConstantExpression).value?.value;
      if (v === 't') return 'TRUE';
      if (v === 'f') return 'FALSE';
    }
    if (type.id === 'INTERVAL' && !this.native) return printIntervalCast(this, e);
    const target = typeName(type, this.dialect.name, (n) => this.ident(n));
    if ('refused' in target) return this.refuse(target.refused, e);
    const inner = this.expr(child);
    if (!e.try_cast) return `CAST(${inner} AS ${target.sql})`;
    if (this.native || this.dialect.name === 'snowflake') return `TRY_CAST(${inner} AS ${target.sql})`;
    if (this.dialect.name === 'bigquery') return `SAFE_CAST(${inner} AS ${target.sql})`;
    return this.lacks('TRY_CAST (a cast that gives NULL instead of failing)', e);
  }

  private caseExpr(e: CaseExpression): string {
    const checks = (e.case_checks ?? []).map((c) => ` WHEN ${this.expr(c.when_expr)} THEN ${this.expr(c.then_expr)}`).join('');
    const otherwise = e.else_expr && !(e.else_expr.class === 'CONSTANT' && (e.else_expr as ConstantExpression).value?.is_null) ? ` ELSE ${this.expr(e.else_expr)}` : '';
    return `CASE${checks}${otherwise} END`;
  }

  private operator(e: ExpressionNode): string {
    const children = (e.children as ExpressionNode[] | undefined) ?? [];
    const c = (i: number) => this.expr(children[i]);
    switch (e.type) {
      case 'OPERATOR_IS_NULL': return `(${c(0)} IS NULL)`;
      case 'OPERATOR_IS_NOT_NULL': return `(${c(0)} IS NOT NULL)`;
      case 'OPERATOR_NOT': return `(NOT ${c(0)})`;
      case 'COMPARE_IN':
      case 'COMPARE_NOT_IN': {
        const list = children.slice(1).map((x) => this.expr(x)).join(', ');
        return `(${c(0)}${e.type === 'COMPARE_NOT_IN' ? ' NOT' : ''} IN (${list}))`;
      }
      case 'OPERATOR_COALESCE': return `COALESCE(${children.map((x) => this.expr(x)).join(', ')})`;
      case 'ARRAY_EXTRACT': return printExtract(this, e, children);
      default:
        if (this.native) return this.refuse(`operator ${e.type}`, e);
        return this.refuse(`the operator ${e.type.replace(/^OPERATOR_/, '').replace(/_/g, ' ').toLowerCase()} is not supported outside DuckDB`, e);
    }
  }

  private subquery(e: SubqueryExpression): string {
    const body = this.query(e.subquery.node);
    switch (e.subquery_type) {
      case 'SCALAR': return `(${body})`;
      case 'EXISTS': return `EXISTS (${body})`;
      case 'NOT_EXISTS': return `NOT EXISTS (${body})`;
      case 'ANY': {
        const child = e.child ? this.expr(e.child) : '';
        const cmp = String(e.comparison_type ?? 'COMPARE_EQUAL');
        if (cmp === 'COMPARE_EQUAL') return `(${child} IN (${body}))`;
        if (this.dialect.name === 'bigquery') return this.lacks('comparison with ANY (subquery)', e);
        return `(${child} ${COMPARISON_OPERATORS[cmp] ?? '='} ANY (${body}))`;
      }
      default:
        return this.refuse(`a ${e.subquery_type} subquery is not supported outside DuckDB`, e);
    }
  }
}

/** The node's own location, else the earliest one inside it (operators and set operations carry none). */
function firstLocation(node: object): number | undefined {
  let best: number | undefined;
  const visit = (value: unknown, depth: number): void => {
    if (depth > 12 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v, depth + 1);
      return;
    }
    const loc = (value as { query_location?: unknown }).query_location;
    if (typeof loc === 'number' && loc < 2 ** 40) {
      if (best === undefined || loc < best) best = loc;
      if (depth === 0) return;
    }
    for (const key in value) if (key !== 'query_location') visit((value as Record<string, unknown>)[key], depth + 1);
  };
  const own = (node as { query_location?: unknown }).query_location;
  if (typeof own === 'number' && own < 2 ** 40) return own;
  visit(node, 1);
  return best;
}

function isPositional(e: ExpressionNode): boolean {
  return e.class === 'CONSTANT' || e.class === 'POSITIONAL_REFERENCE';
}

/** An unscaled decimal integer written with its point: 15 at scale 1 is 1.5. */
function decimalText(unscaled: string, scale: number): string {
  const negative = unscaled.startsWith('-');
  let digits = negative ? unscaled.slice(1) : unscaled;
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return negative ? `(-${digits})` : digits;
}
