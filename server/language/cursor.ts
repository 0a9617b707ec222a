// What is under the cursor in a model file: a table reference, a column (and the base-table column it
// reads), one of the model's own output columns, a star, or the model's name in its MODEL block. Found in
// DuckDB's syntax tree of the rendered query (query_location of each node), mapped back to the file.

import type { ModelProject } from '../../core/dag';
import { nameLength } from '../../core/dag/references';
import { tableKey } from '../../core/dag/names';
import type { PreparedModel } from '../../core/dag/prepare';
import type { Output, ResolvedQuery, SelectScope } from '../../core/lineage/scope';
import { isBaseTable, isColumnRef, isStar, type ColumnRefExpression, type ExpressionNode } from '../../core/sql/ast';
import { likeStarFilter } from '../../core/lineage/starFilter';
import { baseColumnOf, outputsPerItem, resolvedQuery, scopeOfItem, toRenderedOffset, type BaseColumn } from './resolution';
import { partRanges, unquote, type TextRange } from './sqlNames';

/** A range in the model file, as offsets. */
export interface FileRange {
  start: number;
  end: number;
}

export type CursorTarget =
  /** A table named in the query (or an alias standing for it). */
  | { kind: 'table'; key: string; range: FileRange }
  /** A column reference reading a base-table column (possibly through CTEs and subqueries). */
  | { kind: 'column'; base: BaseColumn; name: string; range: FileRange }
  /** A column reference whose value is computed in a CTE or subquery. */
  | { kind: 'derived'; relation: string; name: string; range: FileRange }
  /** One of the model's own output columns (a select item, its alias, or a reference to the alias). */
  | { kind: 'output'; model: string; column: string; range: FileRange }
  /** A star and the columns it expands to. */
  | { kind: 'star'; columns: { name: string; base?: BaseColumn }[]; range: FileRange }
  /** The model's name in its MODEL block. */
  | { kind: 'model'; model: string; range: FileRange };

/** The target at a file offset of a prepared model; undefined when there is nothing Sluice knows about there. */
export function targetAt(project: ModelProject, model: PreparedModel, offset: number): CursorTarget | undefined {
  const nameProperty = model.parsed.definition?.properties.name;
  if (model.key && nameProperty && nameProperty.start.offset <= offset && offset <= nameProperty.end.offset) {
    return { kind: 'model', model: model.key, range: { start: nameProperty.start.offset, end: nameProperty.end.offset } };
  }
  const rendered = model.rendered;
  const sql = model.sql;
  if (!rendered || !sql?.query) return undefined;
  const at = toRenderedOffset(rendered.sourceMap, offset);
  if (at === undefined) return undefined;
  const node = nodeAt(model, at);
  const resolved = resolvedQuery(project, model);
  const toFile = (start: number, end: number): FileRange => ({
    start: rendered.sourceMap.toFileOffset(start),
    end: rendered.sourceMap.toFileOffset(end),
  });

  if (node?.kind === 'table') {
    const parts = [node.node.catalog_name, node.node.schema_name, node.node.table_name].filter((p): p is string => typeof p === 'string' && p !== '');
    return { kind: 'table', key: tableKey(parts), range: toFile(node.start, node.end) };
  }
  if (node?.kind === 'star' && resolved) {
    const scope = scopeOfItem(resolved, node.node);
    const outputs = scope ? outputsPerItem(scope).get(node.node) ?? [] : [];
    const columns = outputs.map((o) => ({ name: o.name, base: o.kind === 'column' ? baseColumnOf(o.binding, resolved) : undefined }));
    return { kind: 'star', columns, range: toFile(node.start, node.end) };
  }
  if (node?.kind === 'column' && resolved) {
    const expr = node.node;
    const binding = resolved.bindings.get(expr);
    const names = expr.column_names ?? [];
    const name = (names[names.length - 1] ?? '').toLowerCase();
    // On the qualifier (o in o.amount): the table it stands for.
    if (node.part < names.length - 1 && binding?.kind === 'column' && binding.relation.kind === 'table') {
      return { kind: 'table', key: binding.relation.table, range: toFile(node.partStart, node.partEnd) };
    }
    const range = toFile(node.partStart, node.partEnd);
    if (model.key && isRootItem(resolved, expr)) {
      const output = rootOutputOf(resolved, expr);
      if (output) return { kind: 'output', model: model.key, column: output.name, range };
    }
    if (binding?.kind === 'output' && binding.scope === resolved.root && model.key) {
      return { kind: 'output', model: model.key, column: binding.scope.outputs[binding.index].name, range };
    }
    const base = baseColumnOf(binding, resolved);
    if (base) return { kind: 'column', base, name, range };
    if (binding?.kind === 'column') return { kind: 'derived', relation: binding.relation.name, name, range };
    return undefined;
  }
  // An alias after AS (the parser keeps no location for it): one of the model's output names.
  const word = wordAt(sql.sql, at);
  if (word && model.key && resolved) {
    const name = unquote(sql.sql.slice(word.start, word.end)).toLowerCase();
    if (resolved.root.outputs.some((o) => o.name === name) && /\bas\s*$/i.test(sql.sql.slice(Math.max(0, word.start - 12), word.start))) {
      return { kind: 'output', model: model.key, column: name, range: toFile(word.start, word.end) };
    }
  }
  return undefined;
}

/** The column reference at a file offset, and where its last part (the column's name) is in the rendered query. */
export function columnReferenceAt(model: PreparedModel, offset: number): { node: ColumnRefExpression; name: TextRange } | undefined {
  const at = model.rendered && model.sql?.query ? toRenderedOffset(model.rendered.sourceMap, offset) : undefined;
  const node = at === undefined ? undefined : nodeAt(model, at);
  if (node?.kind !== 'column') return undefined;
  const parts = partRanges(model.sql!.sql, node.start, node.end);
  return { node: node.node as ColumnRefExpression, name: parts[parts.length - 1] };
}

type Located =
  | { kind: 'table'; node: { catalog_name?: string; schema_name?: string; table_name: string }; start: number; end: number }
  | { kind: 'column'; node: ExpressionNode & { column_names?: string[] }; start: number; end: number; part: number; partStart: number; partEnd: number }
  | { kind: 'star'; node: ExpressionNode; start: number; end: number };

/** The smallest table reference, column reference or star whose text covers the rendered offset. */
function nodeAt(model: PreparedModel, at: number): Located | undefined {
  const sql = model.sql!;
  const text = sql.sql;
  let best: Located | undefined;
  const consider = (found: Located) => {
    if (found.start <= at && at <= found.end && (!best || found.end - found.start < best.end - best.start)) best = found;
  };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const node = value as Record<string, unknown>;
    const start = sql.source.indexOfByte(node.query_location);
    if (start !== undefined) {
      if (node.type === 'BASE_TABLE' && isBaseTable(node as never)) {
        const end = start + nameLength(text, start);
        consider({ kind: 'table', node: node as never, start, end });
        const alias = typeof node.alias === 'string' ? aliasAfter(text, end, node.alias) : undefined;
        if (alias) consider({ kind: 'table', node: node as never, ...alias });
      } else if (typeof node.class === 'string' && isColumnRef(node as unknown as ExpressionNode)) {
        const end = start + nameLength(text, start);
        const parts = partRanges(text, start, end);
        const part = parts.findIndex((p) => p.start <= at && at <= p.end);
        if (part >= 0) consider({ kind: 'column', node: node as never, start, end, part, partStart: parts[part].start, partEnd: parts[part].end });
      } else if (typeof node.class === 'string' && isStar(node as unknown as ExpressionNode) && !(node as { columns?: boolean }).columns) {
        const star = text.indexOf('*', start);
        if (star >= 0 && star - start < 200) consider({ kind: 'star', node: node as unknown as ExpressionNode, start, end: star + 1 });
      } else if (typeof node.class === 'string' && likeStarFilter(node as unknown as ExpressionNode)) {
        const like = likeStarFilter(node as unknown as ExpressionNode)!;
        const starStart = sql.source.indexOfByte(like.star.query_location);
        const star = starStart === undefined ? -1 : text.indexOf('*', starStart);
        if (star >= 0) consider({ kind: 'star', node: node as unknown as ExpressionNode, start: starStart!, end: star + 1 });
      }
    }
    for (const key in node) {
      const child = node[key];
      if (typeof child === 'object' && child !== null) visit(child);
    }
  };
  visit(sql.query);
  return best;
}

function isRootItem(resolved: ResolvedQuery, expr: ExpressionNode): boolean {
  return resolved.root.kind === 'select' && (resolved.root.node.select_list ?? []).includes(expr);
}

function rootOutputOf(resolved: ResolvedQuery, expr: ExpressionNode): Output | undefined {
  return outputsPerItem(resolved.root as SelectScope).get(expr)?.[0];
}

/** Where the alias of a table reference is written after its name (`orders AS o`, `orders o`). */
function aliasAfter(text: string, from: number, alias: string): { start: number; end: number } | undefined {
  const m = /^\s+(?:as\s+)?("(?:[^"]|"")*"|[\p{L}\p{N}_$]+)/iu.exec(text.slice(from, from + 200));
  if (!m || unquote(m[1]).toLowerCase() !== alias.toLowerCase()) return undefined;
  const start = from + m[0].length - m[1].length;
  return { start, end: start + m[1].length };
}

const WORD = /[\p{L}\p{N}_$"]/u;

function wordAt(text: string, at: number): { start: number; end: number } | undefined {
  let start = at;
  let end = at;
  while (start > 0 && WORD.test(text[start - 1])) start--;
  while (end < text.length && WORD.test(text[end])) end++;
  return end > start ? { start, end } : undefined;
}
