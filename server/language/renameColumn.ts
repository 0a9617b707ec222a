// Renaming an output column of a model across the project. The column is renamed where its name is
// written: the select item's alias (or an alias added to a plain column reference). A column a * brings in
// is named upstream, so the rename starts at the model that names it. From there every model reading a
// renamed column is rewritten (queryRename.ts), and a column passed on under its own name (through *, or
// a plain reference) is renamed in that model too, and so on downstream; MODEL blocks follow.

import type { ModelProject } from '../../core/dag';
import type { Scope } from '../../core/lineage/scope';
import { QueryRename, type ColumnRenames, type RenamedItem } from './queryRename';
import { FileEdits, RenameRefused, renameInModelBlock } from './renameEdits';
import { resolvedQuery } from './resolution';

export interface ColumnRename {
  edits: FileEdits;
  /** Every renamed model column: model → old name → new name. */
  renamed: ColumnRenames;
}

export function renameColumn(project: ModelProject, model: string, column: string, newName: string): ColumnRename {
  const site = namingSite(project, model, column.toLowerCase(), new Set());
  const edits = new FileEdits();
  const renamed: ColumnRenames = new Map();
  const rewrite = (key: string, item?: RenamedItem) => {
    const prepared = project.preparedModel(key)!;
    const outputs = new QueryRename(project, prepared, renamed, item).run(edits);
    if (outputs.size === 0) return;
    renamed.set(key, outputs);
    for (const [old, next] of outputs) renameInModelBlock(prepared, old, next, edits);
  };
  rewrite(site.model, { scope: site.scope, index: site.index, newName });
  const order = project.buildOrder();
  for (const key of order.slice(order.indexOf(site.model) + 1)) {
    if (project.model(key)!.upstream.some((u) => renamed.has(u))) rewrite(key);
  }
  for (const [key, columns] of renamed) {
    const names = project.model(key)!.columns.map((c) => columns.get(c.name) ?? c.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) throw new RenameRefused(`${key} would have two columns named "${twice}"`);
  }
  return { edits, renamed };
}

interface NamingSite {
  model: string;
  scope: RenamedItem['scope'];
  index: number;
}

/** Where a model column's name is written: a select item of this model, or upstream through a *. */
function namingSite(project: ModelProject, model: string, column: string, seen: Set<string>): NamingSite {
  if (seen.has(model)) throw new RenameRefused(`${model} is part of a cycle`);
  seen.add(model);
  const prepared = project.preparedModel(model);
  const resolved = prepared ? resolvedQuery(project, prepared) : undefined;
  if (!prepared || !resolved) {
    const kind = prepared?.parsed.definition?.kind.name;
    throw new RenameRefused(kind === 'SEED' || kind === 'EXTERNAL'
      ? `${model} is a ${kind} model: its columns come from its ${kind === 'SEED' ? 'CSV file' : 'declaration'}, not from a query`
      : `the query of ${model} does not parse: fix it before renaming`);
  }
  const indexes = resolved.root.outputs.flatMap((o, i) => (o.name === column ? [i] : []));
  if (indexes.length !== 1) throw new RenameRefused(indexes.length === 0 ? `${model} has no column "${column}"` : `${model} has ${indexes.length} columns named "${column}"`);
  return siteInScope(project, model, resolved.root, indexes[0], seen);
}

function siteInScope(project: ModelProject, model: string, scope: Scope, index: number, seen: Set<string>): NamingSite {
  const output = scope.outputs[index];
  if (scope.kind !== 'select') {
    const first = output?.kind === 'branches' ? output.parts[0] : undefined;
    if (!first) throw new RenameRefused(`cannot tell where ${model} names the column`);
    return siteInScope(project, model, first.scope, first.index, seen);
  }
  if (output.kind === 'expr') return { model, scope, index };
  if (output.kind !== 'column' || output.binding.kind !== 'column') throw new RenameRefused(`cannot tell where ${model} names column "${output.name}"`);
  const { relation, column } = output.binding;
  if (column !== output.name) throw new RenameRefused(`${model} names column "${output.name}" in a * RENAME list: rename it there by hand`);
  if (relation.kind === 'derived') {
    const inner = relation.columns.indexOf(column);
    if (relation.scope.outputs[inner]?.name !== column) throw new RenameRefused(`${model} names column "${column}" in a column alias list: rename it there by hand`);
    return siteInScope(project, model, relation.scope, inner, seen);
  }
  if (relation.kind === 'table' && !relation.originalColumns && project.model(relation.table)) {
    return namingSite(project, relation.table, column, seen);
  }
  const from = relation.kind === 'table' ? relation.table : relation.name;
  throw new RenameRefused(`column "${column}" of ${model} comes from * over ${from}, whose columns Sluice cannot rename: select it by name in ${model} to rename it there`);
}
