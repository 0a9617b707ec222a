// The lineage pass: given a resolved query, works out for every output column the base-table columns
// whose values flow into it (sources) and those that only decide which rows it is computed over
// (filters). It follows CTEs, subqueries and set operations down to base tables.
//
// Rules (see docs/lineage.md):
// - an expression's column references are sources, including CASE conditions and window PARTITION BY /
//   ORDER BY columns; an aggregate's FILTER (WHERE ...) columns are filters of that column;
// - WHERE, JOIN ON/USING, GROUP BY, HAVING, QUALIFY, DISTINCT ON, and ORDER BY when LIMIT/OFFSET picks
//   rows are row filters of their query block; a block's row filters reach every column computed over
//   it, including columns of outer blocks that read it;
// - a column's filters never repeat its sources.

import { type ExpressionNode, forEachChild, isFunction, isSubquery, isWindow } from '../sql/ast';
import type { Binding, Output, Relation, ResolvedQuery, Scope } from './scope';
import { scopeIsOpen } from './resolve';

/** Sets of column keys (`schema.table` NUL `column`). */
export interface Flow {
  sources: Set<string>;
  filters: Set<string>;
}

interface ScopeFlows {
  outputs: Flow[];
  rowFilters: Set<string>;
}

type Role = 'value' | 'filter';

const KEY_SEPARATOR = '\u0000';

export function columnKey(table: string, column: string): string {
  return table + KEY_SEPARATOR + column;
}

export function splitColumnKey(key: string): { table: string; column: string } {
  const at = key.indexOf(KEY_SEPARATOR);
  return { table: key.slice(0, at), column: key.slice(at + 1) };
}

// Aggregate functions, for GROUP BY ALL (its keys are the select items without one).
const AGGREGATES = new Set([
  'count', 'count_star', 'sum', 'avg', 'mean', 'min', 'max', 'any_value', 'arbitrary', 'first', 'last',
  'arg_max', 'arg_min', 'argmax', 'argmin', 'max_by', 'min_by', 'list', 'array_agg', 'string_agg',
  'group_concat', 'listagg', 'median', 'mode', 'quantile', 'quantile_cont', 'quantile_disc',
  'percentile_cont', 'percentile_disc', 'approx_quantile', 'reservoir_quantile', 'approx_count_distinct',
  'stddev', 'stddev_pop', 'stddev_samp', 'var_pop', 'var_samp', 'variance', 'corr', 'covar_pop',
  'covar_samp', 'bool_and', 'bool_or', 'bit_and', 'bit_or', 'bit_xor', 'bitstring_agg', 'product',
  'fsum', 'sumkahan', 'kahan_sum', 'favg', 'histogram', 'entropy', 'kurtosis', 'kurtosis_pop',
  'skewness', 'count_if', 'countif', 'geomean', 'geometric_mean', 'mad', 'sum_no_overflow',
  'regr_avgx', 'regr_avgy', 'regr_count', 'regr_intercept', 'regr_r2', 'regr_slope', 'regr_sxx',
  'regr_sxy', 'regr_syy', 'weighted_avg', 'wavg',
]);

/** Traces every output column of the resolved query's root. */
export function traceLineage(resolved: ResolvedQuery): { name: string; flow: Flow }[] {
  const tracer = new Tracer(resolved);
  const flows = tracer.scopeFlows(resolved.root);
  return resolved.root.outputs.map((o, i) => ({ name: o.name, flow: flows.outputs[i] }));
}

class Tracer {
  private readonly memo = new Map<Scope, ScopeFlows>();
  private readonly raw = new Map<Scope, (Flow | undefined)[]>();

  constructor(private readonly resolved: ResolvedQuery) {}

  scopeFlows(scope: Scope): ScopeFlows {
    const known = this.memo.get(scope);
    if (known) return known;
    if (scope.kind === 'recursive') return this.recursiveFlows(scope);
    // A placeholder stops runaway recursion on malformed input.
    const placeholder: ScopeFlows = { outputs: scope.outputs.map(emptyFlow), rowFilters: new Set() };
    this.memo.set(scope, placeholder);

    const row = new Set<string>();
    const rowAcc: Flow = { sources: row, filters: row };
    if (scope.kind === 'select') {
      for (const rel of scope.relations) addAll(row, this.relationRowFilters(rel));
      for (const b of scope.joinKeys) this.addBinding(b, 'filter', rowAcc);
    } else {
      for (const b of scope.branches) addAll(row, this.scopeFlows(b).rowFilters);
    }
    for (const e of scope.rowExpressions) this.walk(e, 'filter', rowAcc);
    for (const i of scope.rowOutputs) this.addFlow(this.rawOutput(scope, i), 'filter', rowAcc);
    if (scope.kind === 'select' && scope.groupByAll) {
      scope.outputs.forEach((o, i) => {
        if (o.kind !== 'expr' || !containsAggregate(o.expr)) this.addFlow(this.rawOutput(scope, i), 'filter', rowAcc);
      });
    }
    const flows: ScopeFlows = {
      outputs: scope.outputs.map((_, i) => finalize(this.rawOutput(scope, i), row)),
      rowFilters: row,
    };
    this.memo.set(scope, flows);
    return flows;
  }

  /** WITH RECURSIVE: start from the anchor and re-trace the step until nothing new flows in. */
  private recursiveFlows(scope: Scope & { kind: 'recursive' }): ScopeFlows {
    const anchor = this.scopeFlows(scope.anchor);
    let current: ScopeFlows = {
      outputs: scope.outputs.map((_, i) => copyFlow(anchor.outputs[i] ?? emptyFlow())),
      rowFilters: new Set(anchor.rowFilters),
    };
    this.memo.set(scope, current);
    if (!scope.step) return current;
    for (let round = 0; round < 8; round++) {
      for (const s of scope.stepScopes) {
        this.memo.delete(s);
        this.raw.delete(s);
      }
      const step = this.scopeFlows(scope.step);
      const row = new Set([...anchor.rowFilters, ...step.rowFilters]);
      const next: ScopeFlows = {
        outputs: scope.outputs.map((_, i) => {
          const merged = copyFlow(anchor.outputs[i] ?? emptyFlow());
          const s = step.outputs[i];
          if (s) {
            addAll(merged.sources, s.sources);
            addAll(merged.filters, s.filters);
          }
          return finalize(merged, row);
        }),
        rowFilters: row,
      };
      const settled = sameFlows(current, next);
      current = next;
      this.memo.set(scope, current);
      if (settled) break;
    }
    return current;
  }

  /** An output's flow before the block's row filters are added. */
  private rawOutput(scope: Scope, index: number): Flow {
    let list = this.raw.get(scope);
    if (!list) this.raw.set(scope, (list = []));
    const known = list[index];
    if (known) return known;
    const flow = emptyFlow();
    list[index] = flow; // placeholder against alias cycles
    const out: Output | undefined = scope.outputs[index];
    if (!out) return flow;
    if (out.kind === 'column' && out.binding.kind === 'column') {
      // A column passed through as it is (`prev.*`, `t.id`): its flow is the relation column's, shared rather
      // than copied, since flows are never changed once traced (a long chain of CTEs would copy O(n²) sets).
      const passed = this.relationColumn(out.binding.relation, out.binding.column);
      list[index] = passed;
      return passed;
    }
    if (out.kind === 'expr') this.walk(out.expr, 'value', flow, out.substitutions);
    else if (out.kind === 'column') this.addBinding(out.binding, 'value', flow);
    else {
      for (const part of out.parts) {
        const f = this.scopeFlows(part.scope).outputs[part.index];
        if (f) this.addFlow(f, 'value', flow);
      }
    }
    return flow;
  }

  private walk(e: ExpressionNode, role: Role, acc: Flow, substitutions?: Map<ExpressionNode, Binding>): void {
    switch (e.class) {
      case 'COLUMN_REF':
      case 'POSITIONAL_REFERENCE': {
        const b = this.resolved.bindings.get(e);
        if (b) this.addBinding(b, role, acc);
        return;
      }
      case 'STAR': {
        const b = substitutions?.get(e);
        if (b) this.addBinding(b, role, acc);
        else for (const each of this.resolved.starBindings.get(e) ?? []) this.addBinding(each, role, acc);
        return;
      }
      case 'SUBQUERY': {
        if (!isSubquery(e)) return;
        if (e.child) this.walk(e.child, role, acc, substitutions);
        const sub = this.resolved.subqueries.get(e);
        if (!sub) return;
        const flows = this.scopeFlows(sub);
        // EXISTS only asks whether rows exist: its select list is irrelevant, its predicates decide.
        const exists = e.subquery_type === 'EXISTS' || e.subquery_type === 'NOT_EXISTS';
        if (!exists) for (const f of flows.outputs) this.addFlow(f, role, acc);
        addAll(acc.filters, flows.rowFilters);
        return;
      }
      case 'LAMBDA':
        this.walk(e.lhs as ExpressionNode, role, acc, substitutions);
        this.walk(e.expr as ExpressionNode, role, acc, substitutions);
        return;
      default:
        forEachChild(e, (child, childRole) =>
          this.walk(child, childRole === 'filter' ? 'filter' : role, acc, substitutions),
        );
    }
  }

  private addBinding(b: Binding, role: Role, acc: Flow): void {
    switch (b.kind) {
      case 'column':
        this.addFlow(this.relationColumn(b.relation, b.column), role, acc);
        return;
      case 'merged':
        for (const m of b.members) this.addBinding(m, role, acc);
        return;
      case 'row':
        for (const column of b.relation.columns ?? []) this.addFlow(this.relationColumn(b.relation, column), role, acc);
        return;
      case 'output':
        this.addFlow(this.rawOutput(b.scope, b.index), role, acc);
        return;
      default:
        return;
    }
  }

  private addFlow(f: Flow, role: Role, acc: Flow): void {
    if (role === 'value') addAll(acc.sources, f.sources);
    else addAll(acc.filters, f.sources);
    addAll(acc.filters, f.filters);
  }

  /** What one column of a FROM relation carries. */
  private relationColumn(rel: Relation, column: string): Flow {
    switch (rel.kind) {
      case 'table': {
        const i = rel.originalColumns ? rel.columns!.indexOf(column) : -1;
        const original = i >= 0 ? rel.originalColumns![i] : column;
        return { sources: new Set([columnKey(rel.table, original)]), filters: new Set() };
      }
      case 'derived': {
        const i = rel.columns.indexOf(column);
        if (i >= 0) return this.scopeFlows(rel.scope).outputs[i] ?? emptyFlow();
        const flow = emptyFlow();
        if (scopeIsOpen(rel.scope)) {
          for (const open of openRelations(rel.scope)) this.addFlow(this.relationColumn(open, column), 'value', flow);
        }
        return flow;
      }
      case 'function': {
        const flow = emptyFlow();
        for (const a of rel.args) this.walk(a, 'value', flow);
        return flow;
      }
      case 'values': {
        const flow = emptyFlow();
        const i = rel.columns.indexOf(column);
        for (const row of rel.rows) if (row[i]) this.walk(row[i], 'value', flow);
        return flow;
      }
      case 'pivot': {
        const flow = emptyFlow();
        const derivation = rel.derivations.get(column) ?? rel.fallback;
        for (const e of derivation.exprs) this.walk(e, 'value', flow);
        for (const c of derivation.inputColumns) {
          const input = rel.inputs.find((r) => r.columns?.includes(c)) ?? rel.inputs.find((r) => !r.columns);
          if (input) this.addFlow(this.relationColumn(input, c), 'value', flow);
        }
        return flow;
      }
    }
  }

  private relationRowFilters(rel: Relation): Set<string> {
    if (rel.kind === 'derived') return this.scopeFlows(rel.scope).rowFilters;
    if (rel.kind === 'pivot') {
      const row = new Set<string>();
      for (const input of rel.inputs) addAll(row, this.relationRowFilters(input));
      return row;
    }
    return EMPTY;
  }
}

const EMPTY: Set<string> = new Set();

function emptyFlow(): Flow {
  return { sources: new Set(), filters: new Set() };
}

function copyFlow(f: Flow): Flow {
  return { sources: new Set(f.sources), filters: new Set(f.filters) };
}

function addAll(target: Set<string>, from: Set<string>): void {
  if (target === from) return;
  for (const x of from) target.add(x);
}

/** Final flow of a column: its own filters plus the block's row filters, minus its sources. */
function finalize(raw: Flow, row: Set<string>): Flow {
  // Usually a column's own filters are among the block's and none of the block's is a source: the column's
  // filters are then exactly the block's, and the set is shared (it is never changed afterwards).
  if (isSubset(raw.filters, row) && !intersects(raw.sources, row)) return { sources: raw.sources, filters: row };
  const filters = new Set<string>();
  for (const x of raw.filters) if (!raw.sources.has(x)) filters.add(x);
  for (const x of row) if (!raw.sources.has(x)) filters.add(x);
  return { sources: raw.sources, filters };
}

function isSubset(a: Set<string>, b: Set<string>): boolean {
  if (a.size > b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

function intersects(a: Set<string>, b: Set<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) return true;
  return false;
}

function sameFlows(a: ScopeFlows, b: ScopeFlows): boolean {
  if (a.rowFilters.size !== b.rowFilters.size) return false;
  return a.outputs.every(
    (f, i) => f.sources.size === b.outputs[i].sources.size && f.filters.size === b.outputs[i].filters.size,
  );
}

function openRelations(scope: Scope): Relation[] {
  if (scope.kind === 'select') return scope.openStars;
  if (scope.kind === 'setop') return scope.branches.flatMap(openRelations);
  return openRelations(scope.anchor);
}

function containsAggregate(e: ExpressionNode): boolean {
  let found = false;
  const visit = (node: ExpressionNode): void => {
    if (found || isSubquery(node)) return;
    if (isFunction(node) && (AGGREGATES.has(node.function_name.toLowerCase()) || node.filter)) {
      found = true;
      return;
    }
    if (isWindow(node)) {
      // The window function itself is not an aggregate; its arguments may contain one.
      for (const c of node.children ?? []) visit(c);
      return;
    }
    forEachChild(node, visit);
  };
  visit(e);
  return found;
}
