// The resolution pass: binds every column reference of a parsed query to the FROM relation (or
// select-list item) it reads and expands every star, the way DuckDB's binder would. It records
// problems as diagnostics and keeps going; it never throws on odd SQL.

import {
  type BaseTableRef,
  type CteEntry,
  type ExpressionNode,
  type JoinRef,
  type LambdaExpression,
  type PivotRef,
  type QueryNode,
  type RecursiveCteNode,
  type SelectNode,
  type SetOperationNode,
  type StarExpression,
  type TableRef,
  cteEntries,
  forEachChild,
  integerConstant,
  isBaseTable,
  isColumnRef,
  isExpressionList,
  isFunction,
  isJoin,
  isLambda,
  isPivot,
  isPositionalReference,
  isRecursiveCteNode,
  isSelectNode,
  isSetOperationNode,
  isStar,
  isSubquery,
  isSubqueryRef,
  isTableFunction,
  modifiers,
  setOperationBranches,
} from '../sql/ast';
import { type SourceText, type SqlDiagnostic, type SqlSeverity } from '../sql/diagnostic';
import { expressionName } from '../sql/expressionName';
import type {
  Binding,
  DerivedRelation,
  Output,
  RecursiveScope,
  Relation,
  ResolvedQuery,
  Scope,
  SelectScope,
  SetOperationScope,
  TableRelation,
} from './scope';
import { columnNameFilter, likeStarFilter } from './starFilter';
import type { Catalog } from './types';

// Functions whose LAMBDA arguments are real lambdas; elsewhere `a -> 'x'` is DuckDB's JSON operator.
const LAMBDA_FUNCTIONS = new Set([
  'list_transform', 'array_transform', 'apply', 'list_apply', 'array_apply',
  'list_filter', 'array_filter', 'filter',
  'list_reduce', 'array_reduce', 'reduce',
]);

const UNRESOLVED: Binding = { kind: 'unresolved' };
const LAMBDA_PARAM: Binding = { kind: 'lambda' };

/** The relations one SELECT's names are looked up in. */
interface Level {
  relations: Relation[];
  /** USING / NATURAL columns, by name: an unqualified reference reads every side. */
  merged: Map<string, Binding>;
  /** For an unqualified *: a relation column replaced by its merged binding, or hidden (null). */
  overrides: Map<Relation, Map<string, Binding | null>>;
  scope?: SelectScope;
}

interface CteDef {
  name: string;
  scope: Scope;
  columns: string[];
}

interface Env {
  ctes: Map<string, CteDef>;
  /** Enclosing levels for correlated and lateral references, innermost first. */
  outer: Level[];
}

type Clause = 'select' | 'where' | 'group' | 'having' | 'qualify' | 'order' | 'from' | 'other';

interface ExprContext {
  level: Level;
  env: Env;
  clause: Clause;
  /** The scope whose select-list aliases may be referenced. */
  outputsScope?: Scope;
  /** How many select-list items are visible to a later item (DuckDB allows reusing earlier aliases). */
  visibleOutputs: number;
  lambdaParams?: Set<string>;
  /** COLUMNS(...) nodes expanded by the caller rather than bound here. */
  skipStars?: Set<ExpressionNode>;
}

interface StarColumn {
  name: string;
  binding: Binding;
  replace?: ExpressionNode;
}

export interface ResolveOptions {
  defaultSchema: string;
}

/** Binds every name in a query. Pure: the same inputs always give the same result. */
export function resolveQuery(
  query: QueryNode,
  catalog: Catalog,
  source: SourceText,
  options: ResolveOptions,
): ResolvedQuery {
  const resolver = new Resolver(catalog, source, options.defaultSchema.toLowerCase());
  const root = resolver.query(query, { ctes: new Map(), outer: [] });
  return {
    root,
    bindings: resolver.bindings,
    starBindings: resolver.starBindings,
    subqueries: resolver.subqueries,
    tables: resolver.tables,
    diagnostics: resolver.diagnostics,
  };
}

class Resolver {
  readonly bindings = new Map<ExpressionNode, Binding>();
  readonly starBindings = new Map<ExpressionNode, Binding[]>();
  readonly subqueries = new Map<ExpressionNode, Scope>();
  readonly tables = new Set<string>();
  readonly diagnostics: SqlDiagnostic[] = [];
  private readonly collectors: Scope[][] = [];

  constructor(
    private readonly catalog: Catalog,
    private readonly source: SourceText,
    private readonly defaultSchema: string,
  ) {}

  // ---- query blocks ----

  query(node: QueryNode, outerEnv: Env): Scope {
    const env = this.withCtes(node, outerEnv);
    if (isSelectNode(node)) return this.select(node, env);
    if (isSetOperationNode(node)) return this.setOperation(node, env);
    if (isRecursiveCteNode(node)) return this.recursive(node, env, undefined);
    this.report(undefined, `unsupported query kind ${node.type}; its columns are not traced`, 'warning');
    return this.register({ kind: 'setop', node: node as SetOperationNode, branches: [], outputs: [], rowExpressions: [], rowOutputs: [] });
  }

  private register<S extends Scope>(scope: S): S {
    for (const c of this.collectors) c.push(scope);
    return scope;
  }

  private withCtes(node: QueryNode, env: Env): Env {
    const entries = cteEntries(node);
    if (entries.length === 0) return env;
    const ctes = new Map(env.ctes);
    for (const entry of entries) {
      // Each CTE sees the ones defined before it.
      const def = this.cte(entry, { ctes: new Map(ctes), outer: env.outer });
      ctes.set(def.name, def);
    }
    return { ctes, outer: env.outer };
  }

  private cte(entry: CteEntry, env: Env): CteDef {
    const name = entry.key.toLowerCase();
    const aliases = (entry.value.aliases ?? []).map(lower);
    const node = entry.value.query.node;
    if (isRecursiveCteNode(node)) {
      // The scope is filled in by recursive() before the step (which reads it) is resolved.
      const def: CteDef = { name, scope: undefined as unknown as Scope, columns: [] };
      this.recursive(node, env, { def, aliases });
      return def;
    }
    const scope = this.query(node, env);
    return { name, scope, columns: renameColumns(outputNames(scope), aliases) };
  }

  /** WITH RECURSIVE: the anchor is resolved first so the step can read the CTE's columns. */
  private recursive(node: RecursiveCteNode, env: Env, self: { def: CteDef; aliases: string[] } | undefined): Scope {
    const anchor = this.query(node.left, env);
    const names = renameColumns(outputNames(anchor), self?.aliases ?? (node.aliases ?? []).map(lower));
    const scope: RecursiveScope = this.register({
      kind: 'recursive',
      node,
      anchor,
      outputs: names.map((name, index) => ({ kind: 'branches' as const, name, parts: [{ scope: anchor, index }] })),
      rowExpressions: [],
      rowOutputs: [],
      stepScopes: [],
    });
    let stepEnv = env;
    if (self) {
      self.def.scope = scope;
      self.def.columns = names;
      stepEnv = { ctes: new Map(env.ctes).set(self.def.name, self.def), outer: env.outer };
    }
    const collected: Scope[] = [];
    this.collectors.push(collected);
    try {
      scope.step = this.query(node.right, stepEnv);
    } finally {
      this.collectors.pop();
    }
    scope.stepScopes = collected;
    scope.outputs.forEach((out, index) => {
      if (out.kind === 'branches' && index < scope.step!.outputs.length) out.parts.push({ scope: scope.step!, index });
    });
    return scope;
  }

  private setOperation(node: SetOperationNode, env: Env): Scope {
    const branches = setOperationBranches(node).map((b) => this.query(b, env));
    const outputs: Output[] = [];
    if (/BY_NAME/.test(node.setop_type)) {
      const names: string[] = [];
      for (const b of branches) for (const o of b.outputs) if (!names.includes(o.name)) names.push(o.name);
      for (const name of names) {
        const parts = branches
          .map((scope) => ({ scope, index: scope.outputs.findIndex((o) => o.name === name) }))
          .filter((p) => p.index >= 0);
        outputs.push({ kind: 'branches', name, parts });
      }
    } else if (branches.length > 0) {
      const width = branches[0].outputs.length;
      if (branches.some((b) => b.outputs.length !== width && !scopeIsOpen(b))) {
        this.report(undefined, `${node.setop_type} branches return different numbers of columns`, 'error');
      }
      for (let index = 0; index < width; index++) {
        const parts = branches.filter((b) => index < b.outputs.length).map((scope) => ({ scope, index }));
        outputs.push({ kind: 'branches', name: branches[0].outputs[index].name, parts });
      }
    }
    const scope: SetOperationScope = this.register({
      kind: 'setop', node, branches, outputs, rowExpressions: [], rowOutputs: [],
    });
    const level: Level = { relations: [], merged: new Map(), overrides: new Map() };
    this.resultModifiers(node, scope, { level, env, clause: 'order', outputsScope: scope, visibleOutputs: outputs.length });
    return scope;
  }

  private select(node: SelectNode, env: Env): Scope {
    const scope: SelectScope = this.register({
      kind: 'select',
      node,
      relations: [],
      outputs: [],
      rowExpressions: [],
      rowOutputs: [],
      joinKeys: [],
      groupByAll: node.aggregate_handling === 'FORCE_AGGREGATES',
      openStars: [],
    });
    const level: Level = { relations: scope.relations, merged: new Map(), overrides: new Map(), scope };
    if (node.from_table) this.from(node.from_table, scope, level, env);

    const ctx: ExprContext = { level, env, clause: 'select', outputsScope: scope, visibleOutputs: 0 };
    for (const item of node.select_list ?? []) {
      this.selectItem(item, scope, ctx);
      ctx.visibleOutputs = scope.outputs.length;
    }
    const all = scope.outputs.length;
    if (node.where_clause) this.rowExpression(node.where_clause, scope, { ...ctx, clause: 'where', visibleOutputs: all });
    for (const g of node.group_expressions ?? []) {
      const position = integerConstant(g);
      if (position !== undefined) this.outputByPosition(g, position, scope);
      else this.rowExpression(g, scope, { ...ctx, clause: 'group', visibleOutputs: all });
    }
    if (node.having) this.rowExpression(node.having, scope, { ...ctx, clause: 'having', visibleOutputs: all });
    if (node.qualify) this.rowExpression(node.qualify, scope, { ...ctx, clause: 'qualify', visibleOutputs: all });
    this.resultModifiers(node, scope, { ...ctx, clause: 'order', visibleOutputs: all });
    return scope;
  }

  private rowExpression(e: ExpressionNode, scope: Scope, ctx: ExprContext): void {
    this.expr(e, ctx);
    scope.rowExpressions.push(e);
  }

  private outputByPosition(e: ExpressionNode, position: number, scope: Scope, record = true): void {
    if (position >= 1 && position <= scope.outputs.length) {
      if (record) scope.rowOutputs.push(position - 1);
      return;
    }
    this.report(e.query_location, `position ${position} is not in the select list (1 to ${scope.outputs.length})`, 'error');
  }

  /** DISTINCT ON, ORDER BY, LIMIT. */
  private resultModifiers(node: QueryNode, scope: Scope, ctx: ExprContext): void {
    const mods = modifiers(node);
    // With LIMIT/OFFSET or DISTINCT ON, the ORDER BY decides which rows are kept.
    const picksRows = mods.some(
      (m) =>
        m.type === 'LIMIT_MODIFIER' ||
        m.type === 'LIMIT_PERCENT_MODIFIER' ||
        (m.type === 'DISTINCT_MODIFIER' && (m.distinct_on_targets?.length ?? 0) > 0),
    );
    for (const m of mods) {
      if (m.type === 'DISTINCT_MODIFIER') {
        for (const e of m.distinct_on_targets ?? []) this.orderItem(e, scope, ctx, true);
      } else if (m.type === 'ORDER_MODIFIER') {
        for (const o of m.orders ?? []) if (o.expression) this.orderItem(o.expression, scope, ctx, picksRows);
      } else {
        for (const key of ['limit', 'offset'] as const) {
          const e = m[key];
          if (e) this.expr(e, { ...ctx, clause: 'other' });
        }
      }
    }
  }

  private orderItem(e: ExpressionNode, scope: Scope, ctx: ExprContext, decidesRows: boolean): void {
    const position = integerConstant(e);
    if (position !== undefined) {
      this.outputByPosition(e, position, scope, decidesRows);
      return;
    }
    this.expr(e, ctx);
    if (decidesRows) scope.rowExpressions.push(e);
  }

  // ---- select list ----

  private selectItem(item: ExpressionNode, scope: SelectScope, ctx: ExprContext): void {
    if (isStar(item)) {
      for (const col of this.expandStar(item, ctx)) this.pushStarColumn(col, scope, ctx);
      return;
    }
    const like = likeStarFilter(item);
    if (like) {
      for (const col of this.expandStar(like.star, ctx, like.filter)) this.pushStarColumn(col, scope, ctx);
      return;
    }
    const columnsStars = findColumnsStars(item);
    if (columnsStars.length > 0) {
      const expansions = columnsStars.map((s) => this.expandStar(s, ctx));
      this.expr(item, { ...ctx, skipStars: new Set(columnsStars) });
      const count = Math.min(...expansions.map((x) => x.length));
      for (let i = 0; i < count; i++) {
        const substitutions = new Map<ExpressionNode, Binding>();
        columnsStars.forEach((s, j) => substitutions.set(s, expansions[j][i].binding));
        const name = item.alias ? item.alias.toLowerCase() : expansions[0][i].name;
        scope.outputs.push({ kind: 'expr', name, expr: item, substitutions });
      }
      return;
    }
    this.expr(item, ctx);
    const name = (item.alias || expressionName(item)).toLowerCase();
    scope.outputs.push({ kind: 'expr', name, expr: item });
  }

  private pushStarColumn(col: StarColumn, scope: SelectScope, ctx: ExprContext): void {
    if (col.replace) {
      this.expr(col.replace, ctx);
      scope.outputs.push({ kind: 'expr', name: col.name, expr: col.replace });
    } else {
      scope.outputs.push({ kind: 'column', name: col.name, binding: col.binding });
    }
  }

  /** The columns a star stands for, in DuckDB's order, after EXCLUDE / REPLACE / RENAME / COLUMNS. */
  private expandStar(star: StarExpression, ctx: ExprContext, extraFilter?: (name: string) => boolean): StarColumn[] {
    const level = ctx.level;
    let relations = level.relations;
    const qualifier = star.relation_name?.toLowerCase();
    if (qualifier) {
      relations = level.relations.filter((r) => r.name === qualifier);
      if (relations.length === 0) {
        this.report(star.query_location, `cannot expand "${qualifier}.*": no table "${qualifier}" in FROM`, 'warning');
        return [];
      }
    }
    const exclude = new Set((star.exclude_list ?? []).map(lower));
    const qualifiedExclude = (star.qualified_exclude_list ?? []).map((q) => ({
      table: q.table?.toLowerCase(),
      column: q.column.toLowerCase(),
    }));
    const replace = new Map((star.replace_list ?? []).map((r) => [r.key.toLowerCase(), r.value] as const));
    const rename = new Map((star.rename_list ?? []).map((r) => [r.key.column.toLowerCase(), r.value.toLowerCase()] as const));
    const nameFilter = star.columns ? this.columnsFilter(star) : undefined;
    const openStars = ctx.level.scope?.openStars;

    const result: StarColumn[] = [];
    for (const rel of relations) {
      if (!rel.columns) {
        openStars?.push(rel);
        // Unknown tables are reported where they are named; other relations here.
        if (rel.kind !== 'table') {
          this.report(star.query_location, `the columns of "${rel.name}" are not known, so * does not list them`, 'info');
        }
        continue;
      }
      if (rel.kind === 'derived' && scopeIsOpen(rel.scope)) openStars?.push(rel);
      const overrides = qualifier ? undefined : level.overrides.get(rel);
      for (const col of rel.columns) {
        let binding: Binding = { kind: 'column', relation: rel, column: col };
        const override = overrides?.get(col);
        if (override === null) continue;
        if (override) binding = override;
        if (exclude.has(col)) continue;
        if (qualifiedExclude.some((q) => q.column === col && (!q.table || q.table === rel.name))) continue;
        if (nameFilter && !nameFilter(col)) continue;
        if (extraFilter && !extraFilter(col)) continue;
        result.push({ name: rename.get(col) ?? col, binding, replace: replace.get(col) });
      }
    }
    return result;
  }

  private columnsFilter(star: StarExpression): ((name: string) => boolean) | undefined {
    const result = columnNameFilter(star.expr);
    if (result.problem) this.report(star.query_location, result.problem, 'warning');
    return result.filter;
  }

  // ---- FROM ----

  /** Binds a FROM item; returns the relations it added, left to right. */
  private from(ref: TableRef, scope: SelectScope, level: Level, env: Env): Relation[] {
    if (isJoin(ref)) return this.join(ref, scope, level, env);
    const rel = this.relation(ref, scope, level, env);
    if (!rel) return [];
    level.relations.push(rel);
    return [rel];
  }

  private join(ref: JoinRef, scope: SelectScope, level: Level, env: Env): Relation[] {
    const left = this.from(ref.left, scope, level, env);
    const right = this.from(ref.right, scope, level, env);
    const using =
      ref.ref_type === 'NATURAL' ? this.naturalColumns(left, right, level) : (ref.using_columns ?? []).map(lower);
    for (const col of using) this.mergeUsing(col, left, right, level, scope, ref);
    if (ref.condition) {
      this.rowExpression(ref.condition, scope, { level, env, clause: 'from', visibleOutputs: 0 });
    }
    return [...left, ...right];
  }

  private naturalColumns(left: Relation[], right: Relation[], level: Level): string[] {
    const leftNames = new Set(visibleColumns(left, level));
    return visibleColumns(right, level).filter((c) => leftNames.has(c));
  }

  private mergeUsing(col: string, left: Relation[], right: Relation[], level: Level, scope: SelectScope, ref: JoinRef): void {
    const leftBinding = this.bindAmong(col, left, level);
    const rightBinding = this.bindAmong(col, right, level);
    if (!leftBinding || !rightBinding) {
      const side = leftBinding ? 'right' : 'left';
      this.report(ref.query_location, `join column "${col}" is not on the ${side} side of the join`, 'error');
      return;
    }
    const members = [...flattenMerged(leftBinding), ...flattenMerged(rightBinding)];
    const merged: Binding = { kind: 'merged', members };
    level.merged.set(col, merged);
    scope.joinKeys.push(merged);
    // The unqualified * shows the merged column once, where the left side had it.
    members.forEach((m, i) => {
      if (m.kind !== 'column') return;
      let overrides = level.overrides.get(m.relation);
      if (!overrides) level.overrides.set(m.relation, (overrides = new Map()));
      overrides.set(m.column, i === 0 ? merged : null);
    });
  }

  /** A column among some relations for USING: an earlier merge, or the one relation that has it. */
  private bindAmong(col: string, relations: Relation[], level: Level): Binding | undefined {
    const merged = level.merged.get(col);
    if (merged && merged.kind === 'merged' && merged.members.some((m) => m.kind === 'column' && relations.includes(m.relation))) {
      return merged;
    }
    const known = relations.find((r) => r.columns?.includes(col));
    if (known) return { kind: 'column', relation: known, column: col };
    const unknown = relations.find((r) => isOpenRelation(r));
    return unknown ? { kind: 'column', relation: unknown, column: col } : undefined;
  }

  private relation(ref: TableRef, scope: SelectScope, level: Level, env: Env): Relation | undefined {
    const alias = ref.alias ? ref.alias.toLowerCase() : undefined;
    const columnAliases = (ref.column_name_alias ?? []).map(lower);
    const lateral: Env = { ctes: env.ctes, outer: [level, ...env.outer] };
    if (isBaseTable(ref)) return this.baseTable(ref, alias, columnAliases, env);
    if (isSubqueryRef(ref)) {
      const sub = this.query(ref.subquery.node, lateral);
      const rel: DerivedRelation = {
        kind: 'derived',
        name: alias ?? 'unnamed_subquery',
        scope: sub,
        columns: renameColumns(outputNames(sub), columnAliases),
      };
      return rel;
    }
    const ctx: ExprContext = { level, env, clause: 'from', visibleOutputs: 0 };
    if (isTableFunction(ref)) {
      const fn = ref.function;
      const args = (fn.children as ExpressionNode[] | undefined) ?? [];
      for (const a of args) this.expr(a, ctx);
      const fnName = String(fn.function_name ?? 'function').toLowerCase();
      const defaults = ['unnest', 'range', 'generate_series'].includes(fnName) ? [fnName] : undefined;
      return {
        kind: 'function',
        name: alias ?? fnName,
        args,
        columns: columnAliases.length > 0 ? columnAliases : defaults,
      };
    }
    if (isExpressionList(ref)) {
      const rows = ref.values ?? [];
      for (const row of rows) for (const e of row) this.expr(e, ctx);
      const width = rows[0]?.length ?? 0;
      const names = Array.from({ length: width }, (_, i) => ref.expected_names?.[i]?.toLowerCase() ?? `col${i}`);
      return { kind: 'values', name: alias ?? 'valueslist', rows, columns: renameColumns(names, columnAliases) };
    }
    if (isPivot(ref)) return this.pivot(ref, alias, columnAliases, scope, env);
    if (ref.type !== 'EMPTY') {
      this.report(ref.query_location, `unsupported FROM item ${ref.type}; its columns are not traced`, 'warning');
    }
    return undefined;
  }

  /**
   * PIVOT and UNPIVOT. Output columns are listed when the IN lists are literal: PIVOT keeps its GROUP BY
   * columns (or every input column the pivot does not use) and adds one column per IN value (per
   * aggregate); UNPIVOT keeps the other input columns and adds the name and value columns.
   */
  private pivot(ref: PivotRef, alias: string | undefined, columnAliases: string[], scope: SelectScope, env: Env): Relation {
    const inner: Level = { relations: [], merged: new Map(), overrides: new Map() };
    const inputs = this.from(ref.source, scope, inner, env);
    const ctx: ExprContext = { level: inner, env, clause: 'from', visibleOutputs: 0 };
    const aggregates = ref.aggregates ?? [];
    const pivots = ref.pivots ?? [];
    const pivotExprs = pivots.flatMap((p) => p.pivot_expressions ?? []);
    for (const e of [...aggregates, ...pivotExprs]) this.expr(e, ctx);
    const inputNames = inputs.every((r) => r.columns) ? inputs.flatMap((r) => r.columns!) : undefined;
    const entryNames = (p: (typeof pivots)[number]): string[] | undefined =>
      p.entries?.map((entry) => {
        const values = ((entry as { values?: { value?: unknown }[] }).values ?? []).map((v) => String(v.value ?? 'NULL'));
        return values.join('_').toLowerCase();
      });
    const derivations = new Map<string, { exprs: ExpressionNode[]; inputColumns: string[] }>();
    let columns: string[] | undefined;
    let fallback: { exprs: ExpressionNode[]; inputColumns: string[] };

    if (aggregates.length > 0) {
      fallback = { exprs: [...aggregates, ...pivotExprs], inputColumns: [] };
      const used = new Set<string>();
      for (const e of [...aggregates, ...pivotExprs]) collectColumnNames(e, used);
      const kept = ref.groups?.length ? ref.groups.map(lower) : inputNames?.filter((c) => !used.has(c));
      let combos: string[] | undefined = [''];
      for (const p of pivots) {
        const names = entryNames(p);
        combos = names && combos ? combos.flatMap((c) => names.map((n) => (c ? `${c}_${n}` : n))) : undefined;
      }
      if (kept && combos) {
        columns = [...kept];
        for (const c of kept) derivations.set(c, { exprs: [], inputColumns: [c] });
        for (const combo of combos) {
          for (const agg of aggregates) {
            const name = aggregates.length > 1 ? `${combo}_${(agg.alias || expressionName(agg)).toLowerCase()}` : combo;
            columns.push(name);
            derivations.set(name, { exprs: [agg, ...pivotExprs], inputColumns: [] });
          }
        }
      }
    } else {
      const valueNames = (ref.unpivot_names ?? []).map(lower);
      const nameColumns = pivots.flatMap((p) => (p.unpivot_names ?? []).map(lower));
      const unpivoted = pivots.flatMap((p) => entryNames(p) ?? []);
      fallback = { exprs: pivotExprs, inputColumns: unpivoted };
      if (inputNames && unpivoted.length > 0) {
        const kept = inputNames.filter((c) => !unpivoted.includes(c));
        columns = [...kept, ...nameColumns, ...valueNames];
        for (const c of kept) derivations.set(c, { exprs: [], inputColumns: [c] });
        for (const c of nameColumns) derivations.set(c, { exprs: [], inputColumns: [] });
        for (const c of valueNames) derivations.set(c, { exprs: pivotExprs, inputColumns: unpivoted });
      }
    }
    if (columns && columnAliases.length > 0) {
      const renamed = renameColumns(columns, columnAliases);
      const byNewName = new Map<string, { exprs: ExpressionNode[]; inputColumns: string[] }>();
      renamed.forEach((n, i) => byNewName.set(n, derivations.get(columns![i]) ?? fallback));
      return { kind: 'pivot', name: alias ?? 'pivot', inputs, derivations: byNewName, fallback, columns: renamed };
    }
    return { kind: 'pivot', name: alias ?? 'pivot', inputs, derivations, fallback, columns };
  }

  private baseTable(ref: BaseTableRef, alias: string | undefined, columnAliases: string[], env: Env): Relation {
    const tableName = ref.table_name.toLowerCase();
    const schemaName = ref.schema_name?.toLowerCase();
    if (!schemaName && !ref.catalog_name) {
      const cte = env.ctes.get(tableName);
      if (cte) {
        const rel: DerivedRelation = {
          kind: 'derived',
          name: alias ?? tableName,
          scope: cte.scope,
          columns: renameColumns(cte.columns, columnAliases),
        };
        return rel;
      }
    }
    const schema = schemaName || this.defaultSchema;
    const table = `${schema}.${tableName}`;
    this.tables.add(table);
    const known = this.catalog.columns(table)?.map(lower);
    if (!known) this.report(ref.query_location, `unknown table "${table}"`, 'warning');
    const rel: TableRelation = {
      kind: 'table',
      name: alias ?? tableName,
      table,
      schema,
      tableName,
      aliased: alias !== undefined,
      columns: known ? renameColumns(known, columnAliases) : undefined,
    };
    if (known && columnAliases.length > 0) rel.originalColumns = known;
    return rel;
  }

  // ---- expressions ----

  private expr(e: ExpressionNode, ctx: ExprContext): void {
    switch (e.class) {
      case 'COLUMN_REF':
        this.bindings.set(e, this.bindColumn(e as ExpressionNode & { column_names: string[] }, ctx));
        return;
      case 'POSITIONAL_REFERENCE':
        this.bindings.set(e, this.bindPosition(e, ctx));
        return;
      case 'SUBQUERY': {
        if (!isSubquery(e)) return;
        if (e.child) this.expr(e.child, ctx);
        const sub = this.query(e.subquery.node, { ctes: ctx.env.ctes, outer: [ctx.level, ...ctx.env.outer] });
        this.subqueries.set(e, sub);
        return;
      }
      case 'STAR':
        if (!ctx.skipStars?.has(e)) this.starBindings.set(e, this.expandStar(e as StarExpression, ctx).map((c) => c.binding));
        return;
      case 'LAMBDA': {
        // Outside a list function's arguments `a -> 'b'` is the JSON extract operator.
        const l = e as LambdaExpression;
        this.expr(l.lhs, ctx);
        this.expr(l.expr, ctx);
        return;
      }
      case 'FUNCTION': {
        if (!isFunction(e)) return;
        const takesLambda = LAMBDA_FUNCTIONS.has(lower(e.function_name));
        for (const c of e.children ?? []) {
          if (takesLambda && isLambda(c)) this.lambda(c, ctx);
          else this.expr(c, ctx);
        }
        for (const o of e.order_bys?.orders ?? []) if (o.expression) this.expr(o.expression, ctx);
        if (e.filter) this.expr(e.filter, ctx);
        return;
      }
      default:
        forEachChild(e, (child) => this.expr(child, ctx));
    }
  }

  private lambda(l: LambdaExpression, ctx: ExprContext): void {
    const params = new Set(ctx.lambdaParams);
    const declared = isColumnRef(l.lhs) ? [l.lhs] : ((l.lhs.children as ExpressionNode[] | undefined) ?? []);
    for (const p of declared) {
      if (isColumnRef(p)) {
        params.add(p.column_names[0].toLowerCase());
        this.bindings.set(p, LAMBDA_PARAM);
      }
    }
    this.expr(l.expr, { ...ctx, lambdaParams: params });
  }

  private bindPosition(e: ExpressionNode, ctx: ExprContext): Binding {
    const index = Number(e.index);
    if (ctx.clause === 'order' || ctx.clause === 'group') {
      const scope = ctx.outputsScope;
      if (scope && index >= 1 && index <= scope.outputs.length) {
        return { kind: 'output', scope, index: index - 1 };
      }
    } else {
      const columns = this.expandStar({ class: 'STAR', type: 'STAR' }, { ...ctx, level: { ...ctx.level, scope: undefined } });
      if (index >= 1 && index <= columns.length) return columns[index - 1].binding;
    }
    this.report(e.query_location, `#${index} does not name a column`, 'error');
    return UNRESOLVED;
  }

  /** Binds one column reference, looking in FROM, then enclosing queries, then select-list aliases. */
  private bindColumn(ref: ExpressionNode & { column_names: string[] }, ctx: ExprContext): Binding {
    const parts = (ref.column_names ?? []).map(lower);
    const name = parts[0];
    if (name === undefined) return UNRESOLVED;
    if (ctx.lambdaParams?.has(name)) return LAMBDA_PARAM;
    const aliasesAllowed = ctx.clause !== 'from' && ctx.clause !== 'other';
    if (ctx.clause === 'order' && parts.length === 1) {
      const alias = this.outputByName(ctx, name);
      if (alias) return alias;
    }
    const levels = [ctx.level, ...ctx.env.outer];
    for (const level of levels) {
      const found = this.bindInLevel(parts, level, ref);
      if (found) return found;
    }
    if (aliasesAllowed && parts.length === 1) {
      const alias = this.outputByName(ctx, name);
      if (alias) return alias;
    }
    // Nothing known has it: a table whose columns are unknown may.
    for (const level of levels) {
      const open = level.relations.filter(isOpenRelation);
      if (open.length === 1) return { kind: 'column', relation: open[0], column: name };
      if (open.length > 1) {
        this.report(
          ref.query_location,
          `cannot tell which of ${open.map((r) => r.name).join(', ')} column "${name}" comes from (their columns are unknown)`,
          'warning',
        );
        return UNRESOLVED;
      }
    }
    const where = ctx.level.relations.map((r) => r.name);
    this.report(
      ref.query_location,
      `column "${parts.join('.')}" not found` + (where.length ? ` in ${where.join(', ')}` : ''),
      'error',
    );
    return UNRESOLVED;
  }

  private bindInLevel(parts: string[], level: Level, ref: ExpressionNode): Binding | undefined {
    let missing: { relation: Relation; column: string } | undefined;
    for (let k = Math.min(3, parts.length - 1); k >= 1; k--) {
      const qualifier = parts.slice(0, k);
      const relation = level.relations.find((r) => matchesQualifier(r, qualifier));
      if (!relation) continue;
      const column = parts[k];
      if (relationHasColumn(relation, column)) return { kind: 'column', relation, column };
      missing ??= { relation, column };
    }
    const name = parts[0];
    const merged = level.merged.get(name);
    if (merged) return merged;
    const matches = level.relations.filter((r) => r.columns?.includes(name));
    if (matches.length === 1) return { kind: 'column', relation: matches[0], column: name };
    if (matches.length > 1) {
      this.report(
        ref.query_location,
        `column "${name}" is ambiguous: it is in ${matches.map((r) => r.name).join(', ')}`,
        'error',
      );
      return { kind: 'merged', members: matches.map((relation) => ({ kind: 'column', relation, column: name })) };
    }
    if (parts.length === 1) {
      const relation = level.relations.find((r) => r.name === name);
      if (relation) return { kind: 'row', relation };
    }
    if (missing) {
      this.report(ref.query_location, `table "${missing.relation.name}" has no column "${missing.column}"`, 'error');
      return UNRESOLVED;
    }
    return undefined;
  }

  private outputByName(ctx: ExprContext, name: string): Binding | undefined {
    const scope = ctx.outputsScope;
    if (!scope) return undefined;
    const limit = ctx.clause === 'select' ? ctx.visibleOutputs : scope.outputs.length;
    for (let index = 0; index < limit && index < scope.outputs.length; index++) {
      if (scope.outputs[index].name === name) return { kind: 'output', scope, index };
    }
    return undefined;
  }

  private report(byteOffset: unknown, message: string, severity: SqlSeverity): void {
    this.diagnostics.push(this.source.diagnosticAtByte(byteOffset, message, severity));
  }
}

// ---- helpers ----

function lower(s: string): string {
  return String(s ?? '').toLowerCase();
}

function outputNames(scope: Scope): string[] {
  return scope.outputs.map((o) => o.name);
}

/** Column aliases such as `AS x(a, b)` rename the first columns. */
function renameColumns(names: string[], aliases: string[]): string[] {
  if (aliases.length === 0) return names;
  return names.map((n, i) => aliases[i] ?? n).concat(aliases.slice(names.length));
}

function flattenMerged(b: Binding): Binding[] {
  return b.kind === 'merged' ? b.members : [b];
}

function matchesQualifier(r: Relation, qualifier: string[]): boolean {
  if (qualifier.length === 1) return r.name === qualifier[0];
  if (r.kind !== 'table' || r.aliased) return false;
  // schema.table or catalog.schema.table; the catalog is not checked.
  const [schema, table] = qualifier.slice(-2);
  return r.schema === schema && r.tableName === table;
}

export function scopeIsOpen(scope: Scope): boolean {
  if (scope.kind === 'select') return scope.openStars.length > 0;
  if (scope.kind === 'setop') return scope.branches.some(scopeIsOpen);
  return scopeIsOpen(scope.anchor);
}

/** A relation that may have columns Sluice does not know about. */
function isOpenRelation(r: Relation): boolean {
  if (!r.columns) return true;
  return r.kind === 'derived' && scopeIsOpen(r.scope);
}

function relationHasColumn(r: Relation, column: string): boolean {
  return isOpenRelation(r) || r.columns!.includes(column);
}

/** Column names an unqualified * would show for these relations (join results exclude merged duplicates). */
function visibleColumns(relations: Relation[], level: Level): string[] {
  const names: string[] = [];
  for (const r of relations) {
    const overrides = level.overrides.get(r);
    for (const c of r.columns ?? []) if (overrides?.get(c) !== null) names.push(c);
  }
  return names;
}

/** Single-part column names referenced in an expression (what a PIVOT uses up). */
function collectColumnNames(e: ExpressionNode, into: Set<string>): void {
  if (isColumnRef(e)) {
    into.add(e.column_names[e.column_names.length - 1].toLowerCase());
    return;
  }
  forEachChild(e, (c) => collectColumnNames(c, into));
}

/** COLUMNS(...) nodes inside an expression (not inside subqueries). */
function findColumnsStars(e: ExpressionNode): StarExpression[] {
  const found: StarExpression[] = [];
  const visit = (node: ExpressionNode): void => {
    if (isStar(node)) {
      if (node.columns) found.push(node);
      return;
    }
    if (isSubquery(node)) return;
    if (isLambda(node)) {
      visit(node.lhs);
      visit(node.expr);
      return;
    }
    forEachChild(node, visit);
  };
  visit(e);
  return found;
}
