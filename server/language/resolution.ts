// A model's query bound against the project's tables (the same resolution the lineage pass uses), kept per
// prepared model and project analysis so that hover, definition and completion share one pass. Also the
// way back from a file offset to the rendered query and from a query offset to the file.

import type { ModelProject } from '../../core/dag';
import type { PreparedModel } from '../../core/dag/prepare';
import { resolveQuery } from '../../core/lineage/resolve';
import type { Binding, Output, Relation, ResolvedQuery, Scope, SelectScope } from '../../core/lineage/scope';
import type { Catalog } from '../../core/lineage/types';
import type { SourceMap } from '../../core/models';
import { isStar, type ExpressionNode } from '../../core/sql/ast';
import { likeStarFilter } from '../../core/lineage/starFilter';

const cache = new WeakMap<PreparedModel, { count: number; resolved: ResolvedQuery }>();

/** The resolved query of a prepared model, or undefined when its query did not parse. */
export function resolvedQuery(project: ModelProject, model: PreparedModel): ResolvedQuery | undefined {
  const query = model.sql?.query;
  if (!query || !model.sql) return undefined;
  const known = cache.get(model);
  if (known && known.count === project.analysisCount) return known.resolved;
  const own = model.key;
  const declared = model.parsed.definition?.columns;
  const catalog: Catalog = {
    columns(table) {
      if (table === own) return declared ? Object.keys(declared).map((c) => c.toLowerCase()) : undefined;
      return project.table(table)?.columns?.map((c) => c.name);
    },
  };
  const resolved = resolveQuery(query, catalog, model.sql.source, { defaultSchema: 'main' });
  cache.set(model, { count: project.analysisCount, resolved });
  return resolved;
}

/** The offset in the rendered query for a file offset, when the text there was copied as written. */
export function toRenderedOffset(map: SourceMap, fileOffset: number): number | undefined {
  for (const seg of map.segments) {
    if (seg.kind === 'copy' && seg.fileStart <= fileOffset && fileOffset < seg.fileEnd) return seg.outStart + fileOffset - seg.fileStart;
  }
  // Right after the last character of a copied piece (the cursor at the end of a word).
  for (const seg of map.segments) if (seg.kind === 'copy' && seg.fileEnd === fileOffset) return seg.outEnd;
  return undefined;
}

/** Every scope of a resolved query: the root, CTEs and subqueries in FROM, set operation branches, scalar subqueries. */
export function allScopes(resolved: ResolvedQuery): Scope[] {
  const seen = new Set<Scope>();
  const stack: Scope[] = [resolved.root, ...resolved.subqueries.values()];
  while (stack.length > 0) {
    const scope = stack.pop()!;
    if (!scope || seen.has(scope)) continue;
    seen.add(scope);
    if (scope.kind === 'select') {
      for (const rel of scope.relations) stack.push(...relationScopes(rel));
    } else if (scope.kind === 'setop') stack.push(...scope.branches);
    else {
      stack.push(scope.anchor, ...scope.stepScopes);
      if (scope.step) stack.push(scope.step);
    }
  }
  return [...seen];
}

function relationScopes(rel: Relation): Scope[] {
  if (rel.kind === 'derived') return [rel.scope];
  if (rel.kind === 'pivot') return rel.inputs.flatMap(relationScopes);
  return [];
}

/** A column of a base table (a model, source table or external model) that a binding reads, if it reads one. */
export interface BaseColumn {
  table: string;
  column: string;
}

/**
 * Follows a binding through CTEs and subqueries to the base-table column it reads, as long as each step is
 * the column itself (a star, or a plain column reference). undefined when the value is computed on the way.
 */
export function baseColumnOf(binding: Binding | undefined, resolved: ResolvedQuery, depth = 0): BaseColumn | undefined {
  if (!binding || depth > 50) return undefined;
  if (binding.kind === 'merged') return baseColumnOf(binding.members[0], resolved, depth + 1);
  if (binding.kind === 'output') return outputBase(binding.scope.outputs[binding.index], resolved, depth + 1);
  if (binding.kind !== 'column') return undefined;
  const rel = binding.relation;
  if (rel.kind === 'table') {
    const index = rel.columns?.indexOf(binding.column) ?? -1;
    const column = rel.originalColumns && index >= 0 ? rel.originalColumns[index] : binding.column;
    return { table: rel.table, column };
  }
  if (rel.kind === 'derived') {
    const index = rel.columns.indexOf(binding.column);
    return outputBase(index >= 0 ? rel.scope.outputs[index] : undefined, resolved, depth + 1);
  }
  return undefined;
}

function outputBase(output: Output | undefined, resolved: ResolvedQuery, depth: number): BaseColumn | undefined {
  if (!output) return undefined;
  if (output.kind === 'column') return baseColumnOf(output.binding, resolved, depth);
  if (output.kind === 'expr') {
    const binding = resolved.bindings.get(output.expr);
    return binding ? baseColumnOf(binding, resolved, depth) : undefined;
  }
  if (output.parts.length === 1) return outputBase(output.parts[0].scope.outputs[output.parts[0].index], resolved, depth);
  return undefined;
}

/** The select scope whose select list holds this item. */
export function scopeOfItem(resolved: ResolvedQuery, item: ExpressionNode): SelectScope | undefined {
  for (const scope of allScopes(resolved)) {
    if (scope.kind === 'select' && (scope.node.select_list ?? []).includes(item)) return scope;
  }
  return undefined;
}

/**
 * The outputs each select-list item produced. Plain items produce outputs whose expression is the item
 * itself; stars produce the outputs between them, in order.
 */
export function outputsPerItem(scope: SelectScope): Map<ExpressionNode, Output[]> {
  const items = scope.node.select_list ?? [];
  const out = new Map<ExpressionNode, Output[]>();
  let at = 0;
  items.forEach((item, i) => {
    const taken: Output[] = [];
    const starLike = isStar(item) || likeStarFilter(item) !== undefined;
    if (!starLike) {
      while (at < scope.outputs.length && isOutputOf(scope.outputs[at], item)) taken.push(scope.outputs[at++]);
    } else {
      // A star takes everything up to the next plain item's outputs; of two stars in a row the first one
      // takes the columns of its own relation (or, unqualified, until the relations start over).
      const next = items.slice(i + 1).find((x) => !isStar(x) && likeStarFilter(x) === undefined);
      const following = items[i + 1];
      const nextIsStar = following !== undefined && (isStar(following) || likeStarFilter(following) !== undefined);
      const qualifier = isStar(item) ? item.relation_name?.toLowerCase() : undefined;
      let lastRelation = -1;
      while (at < scope.outputs.length) {
        const output = scope.outputs[at];
        if (next && isOutputOf(output, next)) break;
        if (nextIsStar) {
          const rel = relationOf(output);
          if (qualifier && rel && rel.name !== qualifier) break;
          const index = rel ? scope.relations.indexOf(rel) : -1;
          if (!qualifier && index >= 0 && index < lastRelation) break;
          lastRelation = Math.max(lastRelation, index);
        }
        taken.push(output);
        at++;
      }
    }
    out.set(item, taken);
  });
  return out;
}

function isOutputOf(output: Output, item: ExpressionNode): boolean {
  return output.kind === 'expr' && output.expr === item;
}

function relationOf(output: Output): Relation | undefined {
  if (output.kind !== 'column') return undefined;
  const b = output.binding.kind === 'merged' ? output.binding.members[0] : output.binding;
  return b.kind === 'column' || b.kind === 'row' ? b.relation : undefined;
}

/** The select scope whose own clauses hold an expression (not counting subqueries and CTEs inside it). */
export function selectScopeOf(resolved: ResolvedQuery, expr: ExpressionNode): SelectScope | undefined {
  for (const scope of allScopes(resolved)) {
    if (scope.kind === 'select' && holds(scope.node, expr, true)) return scope;
  }
  return undefined;
}

const QUERY_NODE_TYPES = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE', 'CTE_NODE']);

function holds(value: unknown, wanted: unknown, top = false): boolean {
  if (value === wanted) return true;
  if (Array.isArray(value)) return value.some((v) => holds(v, wanted));
  if (typeof value !== 'object' || value === null) return false;
  const node = value as Record<string, unknown>;
  if (!top && typeof node.type === 'string' && QUERY_NODE_TYPES.has(node.type)) return false;
  for (const key in node) {
    if (key === 'cte_map') continue;
    const child = node[key];
    if (typeof child === 'object' && child !== null && holds(child, wanted)) return true;
  }
  return false;
}
