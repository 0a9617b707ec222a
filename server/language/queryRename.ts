// Renaming columns inside one model's query. Some columns it reads are renamed (columns of upstream models,
// or one select item of its own, the place a renamed column is named): names flow from there through
// stars, plain column references, CTEs, subqueries and set operations, so every reference whose name
// changes is rewritten, and the model's own output columns whose names change are reported (their readers
// are renamed next). What cannot be rewritten safely (USING, NATURAL JOIN, * RENAME/REPLACE, a name a
// macro produced) refuses the rename.

import type { ModelProject } from '../../core/dag';
import type { PreparedModel } from '../../core/dag/prepare';
import type { Binding, Relation, ResolvedQuery, Scope, SelectScope } from '../../core/lineage/scope';
import { isKeyword, isPunct, tokenize, type Token } from '../../core/models/tokenizer';
import { isColumnRef, isJoin, isStar, type ColumnRefExpression, type StarExpression, type TableRef } from '../../core/sql/ast';
import { nameLength } from '../../core/dag/references';
import { FileEdits, RenameRefused } from './renameEdits';
import { allScopes, resolvedQuery } from './resolution';
import { copiedFileRange, partRanges, sqlName, type TextRange } from './sqlNames';

/** Renamed columns of tables: `schema.table` → old column name → new column name. */
export type ColumnRenames = Map<string, Map<string, string>>;

/** A select item whose output is renamed where it is written (its alias, or an alias added to it). */
export interface RenamedItem {
  scope: SelectScope;
  /** Index of the item's output in the scope. */
  index: number;
  newName: string;
}

const CLAUSE_KEYWORDS = ['FROM', 'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'WINDOW', 'ORDER', 'LIMIT', 'OFFSET', 'UNION', 'EXCEPT', 'INTERSECT'];

export class QueryRename {
  private readonly resolved: ResolvedQuery;
  private readonly sql: string;
  private readonly memo = new Map<Scope, Map<number, string | undefined>>();
  private tokens?: Token[];

  constructor(
    private readonly project: ModelProject,
    private readonly model: PreparedModel,
    /** Renamed columns of the tables the query reads. */
    private readonly renames: ColumnRenames,
    private readonly item?: RenamedItem,
  ) {
    const resolved = resolvedQuery(project, model);
    if (!resolved || !model.sql || !model.rendered) throw new RenameRefused(`the query of ${model.key} does not parse: fix it before renaming`);
    this.resolved = resolved;
    this.sql = model.sql.sql;
  }

  /** Adds the query's edits; returns the model's output columns whose names change (old → new). */
  run(edits: FileEdits): Map<string, string> {
    if (this.item) this.renameItem(this.item, edits);
    for (const [node, binding] of this.resolved.bindings) {
      if (!isColumnRef(node)) continue;
      const newName = this.renamedName(binding);
      if (newName !== undefined) this.renameReference(node, binding, newName, edits);
    }
    for (const scope of allScopes(this.resolved)) if (scope.kind === 'select') this.checkSelect(scope, edits);
    const out = new Map<string, string>();
    this.resolved.root.outputs.forEach((o, i) => {
      const newName = this.renamedOutput(this.resolved.root, i);
      if (newName !== undefined) out.set(o.name, newName);
    });
    return out;
  }

  /** The new name of the column a binding reads, when the rename changes it. */
  private renamedName(binding: Binding | undefined): string | undefined {
    if (!binding) return undefined;
    if (binding.kind === 'output') return this.renamedOutput(binding.scope, binding.index);
    if (binding.kind === 'merged') {
      if (binding.members.some((m) => this.renamedName(m) !== undefined)) {
        throw new RenameRefused(`${this.model.key} joins on the column with USING or NATURAL JOIN, which needs the same name on both sides`);
      }
      return undefined;
    }
    if (binding.kind !== 'column') return undefined;
    return this.renamedColumn(binding.relation, binding.column);
  }

  /** The new name of a relation's column, when it is renamed (a column alias list keeps its own names). */
  private renamedColumn(rel: Relation, column: string): string | undefined {
    const index = rel.columns?.indexOf(column) ?? -1;
    if (rel.kind === 'table') {
      if (rel.originalColumns && rel.originalColumns[index] !== column) return undefined;
      return this.renames.get(rel.table)?.get(column);
    }
    if (rel.kind === 'derived') {
      const output = rel.scope.outputs[index];
      if (!output || output.name !== column) return undefined;
      return this.renamedOutput(rel.scope, index);
    }
    return undefined;
  }

  /** The new name of a scope's output column, when its name comes from a renamed column. */
  private renamedOutput(scope: Scope, index: number): string | undefined {
    let known = this.memo.get(scope);
    if (!known) this.memo.set(scope, (known = new Map()));
    if (known.has(index)) return known.get(index);
    known.set(index, undefined); // a recursive CTE reading itself
    let result: string | undefined;
    const output = scope.outputs[index];
    if (this.item && this.item.scope === scope && this.item.index === index) result = this.item.newName;
    else if (!output) result = undefined;
    else if (output.kind === 'column') {
      const binding = output.binding;
      const renamed = this.renamedName(binding);
      // * RENAME (old AS x) names it in the star itself.
      if (renamed !== undefined && binding.kind === 'column' && binding.column !== output.name) {
        throw new RenameRefused(`${this.model.key} renames the column in a * RENAME list: rename it there by hand`);
      }
      result = renamed;
    } else if (output.kind === 'expr') {
      result = !output.expr.alias && isColumnRef(output.expr) ? this.renamedName(this.resolved.bindings.get(output.expr)) : undefined;
    } else {
      const first = output.parts[0];
      result = first ? this.renamedOutput(first.scope, first.index) : undefined;
    }
    known.set(index, result);
    return result;
  }

  /** Rewrites the column part of a reference (o.amount → o.total). */
  private renameReference(node: ColumnRefExpression, binding: Binding, newName: string, edits: FileEdits): void {
    const start = this.model.sql!.source.indexOfByte(node.query_location);
    if (start === undefined) throw this.unplaced(node.column_names.join('.'));
    const parts = partRanges(this.sql, start, start + nameLength(this.sql, start));
    const names = node.column_names.map((p) => p.toLowerCase());
    const at = columnPart(names, binding);
    if (at === undefined || parts.length !== names.length) throw this.unplaced(names.join('.'));
    this.edit(parts[at], sqlName(newName), edits, names.join('.'));
  }

  /** The item a renamed column is named at: its alias changes, or a column reference gets one. */
  private renameItem(item: RenamedItem, edits: FileEdits): void {
    const output = item.scope.outputs[item.index];
    if (output?.kind !== 'expr') throw new RenameRefused(`cannot find where ${this.model.key} names the column`);
    const expr = output.expr;
    const items = item.scope.node.select_list ?? [];
    const position = items.indexOf(expr);
    if (expr.alias) {
      const alias = this.aliasRange(item.scope, position, expr.alias);
      if (!alias) throw new RenameRefused(`cannot tell where ${this.model.key} writes the alias "${expr.alias}": rename it by hand`);
      this.edit(alias, sqlName(item.newName), edits, expr.alias);
    } else if (isColumnRef(expr)) {
      const start = this.model.sql!.source.indexOfByte(expr.query_location);
      if (start === undefined) throw this.unplaced(expr.column_names.join('.'));
      const end = start + nameLength(this.sql, start);
      this.edit({ start: end, end }, ` AS ${sqlName(item.newName)}`, edits, expr.column_names.join('.'));
    } else {
      throw new RenameRefused(`column "${output.name}" of ${this.model.key} has no alias: give it one with AS, then rename it`);
    }
  }

  /** USING and NATURAL joins over renamed columns, and the EXCLUDE / REPLACE lists of stars over them. */
  private checkSelect(scope: SelectScope, edits: FileEdits): void {
    const renamedIn = (rel: Relation) => (rel.columns ?? []).filter((c) => this.renamedColumn(rel, c) !== undefined);
    for (const key of scope.joinKeys) this.renamedName(key);
    if (scope.node.from_table && hasNaturalJoin(scope.node.from_table) && scope.relations.some((r) => renamedIn(r).length > 0)) {
      throw new RenameRefused(`${this.model.key} joins with NATURAL JOIN over a renamed column's table; the join columns would change`);
    }
    for (const item of scope.node.select_list ?? []) {
      if (!isStar(item) || item.columns) continue;
      const qualifier = item.relation_name?.toLowerCase();
      const covered = scope.relations.filter((r) => !qualifier || r.name === qualifier);
      const renamed = new Map<string, string>();
      for (const rel of covered) for (const c of renamedIn(rel)) renamed.set(c, this.renamedColumn(rel, c)!);
      if (renamed.size === 0) continue;
      if ((item.replace_list ?? []).some((r) => renamed.has(r.key.toLowerCase())) || (item.rename_list ?? []).some((r) => renamed.has(r.key.column.toLowerCase()))) {
        throw new RenameRefused(`${this.model.key} names the column in a * REPLACE or RENAME list: rename it there by hand`);
      }
      const excluded = [...(item.exclude_list ?? []), ...(item.qualified_exclude_list ?? []).map((q) => q.column)].map((c) => c.toLowerCase());
      for (const old of excluded.filter((c) => renamed.has(c))) this.renameExcluded(item, old, renamed.get(old)!, edits);
    }
  }

  /** The name in `* EXCLUDE (a, old)`. */
  private renameExcluded(star: StarExpression, old: string, newName: string, edits: FileEdits): void {
    const start = this.model.sql!.source.indexOfByte(star.query_location);
    const tokens = this.queryTokens();
    let i = start === undefined ? -1 : tokens.findIndex((t) => t.start >= start && isPunct(t, '*'));
    if (i < 0 || !isKeyword(tokens[i + 1], 'EXCLUDE')) throw this.unplaced(`* EXCLUDE (${old})`);
    i += 2;
    const list = isPunct(tokens[i], '(');
    const found: Token[] = [];
    for (; i < tokens.length; i++) {
      const t = tokens[i];
      if ((t.type === 'ident' || t.type === 'qident') && t.value.toLowerCase() === old && !isPunct(tokens[i + 1], '.')) found.push(t);
      if (!list || isPunct(t, ')')) break;
    }
    if (found.length !== 1) throw this.unplaced(`* EXCLUDE (${old})`);
    this.edit({ start: found[0].start, end: found[0].end }, sqlName(newName), edits, old);
  }

  /**
   * Where an item's alias is written: after the item's own position and before the next item's (or the
   * FROM table's), an identifier after AS or after the end of an expression, ending the item.
   */
  private aliasRange(scope: SelectScope, position: number, alias: string): TextRange | undefined {
    const source = this.model.sql!.source;
    const items = scope.node.select_list ?? [];
    const at = (node: { query_location?: unknown } | undefined) => (node ? source.indexOfByte(node.query_location) : undefined);
    let lower = 0;
    for (let i = position; i >= 0 && lower === 0; i--) lower = at(items[i]) ?? 0;
    let upper = this.sql.length;
    for (const next of [...items.slice(position + 1), scope.node.from_table, scope.node.where_clause]) {
      const found = at(next as { query_location?: unknown } | undefined);
      if (found !== undefined && found > lower) {
        upper = found;
        break;
      }
    }
    const tokens = this.queryTokens();
    const wanted = alias.toLowerCase();
    const candidates = tokens.filter((t, i) => {
      if (t.start < lower || t.end > upper || (t.type !== 'ident' && t.type !== 'qident') || t.value.toLowerCase() !== wanted) return false;
      const before = tokens[i - 1];
      const after = tokens[i + 1];
      const endsItem = !after || isPunct(after, ',') || isPunct(after, ')') || isPunct(after, ';') || CLAUSE_KEYWORDS.some((k) => isKeyword(after, k));
      const afterExpression = isKeyword(before, 'AS') || (before !== undefined && !isPunct(before, ',') && !isPunct(before, '(') && !isKeyword(before, 'SELECT') && !isKeyword(before, 'DISTINCT') && !isPunct(before, '.'));
      return endsItem && afterExpression;
    });
    return candidates.length === 1 ? { start: candidates[0].start, end: candidates[0].end } : undefined;
  }

  private queryTokens(): Token[] {
    this.tokens ??= tokenize(this.sql).tokens;
    return this.tokens;
  }

  /** An edit of the rendered query, made in the file where the query copies the text as written. */
  private edit(range: TextRange, newText: string, edits: FileEdits, what: string): void {
    const inFile = copiedFileRange(this.model.rendered!.sourceMap, range.start, range.end);
    if (!inFile) throw this.unplaced(what);
    edits.add(this.model.file, inFile.start, inFile.end, newText);
  }

  private unplaced(what: string): RenameRefused {
    return new RenameRefused(`cannot rename "${what}" in ${this.model.key}: it is not written as such in the file (a macro or a translated dialect produces it)`);
  }
}

/** Which part of a column reference is the column (t.col.field: 1); undefined when it cannot be told. */
function columnPart(names: string[], binding: Binding): number | undefined {
  if (binding.kind === 'output') return names.length === 1 ? 0 : undefined;
  if (binding.kind !== 'column') return undefined;
  const rel = binding.relation;
  for (let k = Math.min(3, names.length - 1); k >= 1; k--) {
    if (names[k] === binding.column && qualifies(rel, names.slice(0, k))) return k;
  }
  return names[0] === binding.column ? 0 : undefined;
}

function qualifies(rel: Relation, qualifier: string[]): boolean {
  if (qualifier.length === 1) return rel.name === qualifier[0];
  if (rel.kind !== 'table' || rel.aliased) return false;
  const [schema, table] = qualifier.slice(-2);
  return rel.schema === schema && rel.tableName === table;
}

function hasNaturalJoin(ref: TableRef): boolean {
  return isJoin(ref) && (ref.ref_type === 'NATURAL' || hasNaturalJoin(ref.left) || hasNaturalJoin(ref.right));
}

