// Renaming a model across the project: its name in its MODEL block, every reference to it in a query
// (written with as many parts as before), columns and stars qualified with its name, and depends_on.

import * as path from 'node:path';
import type { ModelProject } from '../../core/dag';
import { splitName, tableKey } from '../../core/dag/names';
import type { PreparedModel } from '../../core/dag/prepare';
import { isPunct, tokenize } from '../../core/models/tokenizer';
import { isColumnRef, isStar } from '../../core/sql/ast';
import { nameLength, tableReferences } from '../../core/dag/references';
import { FileEdits, RenameRefused, fileText } from './renameEdits';
import { allScopes, resolvedQuery } from './resolution';
import { copiedFileRange, partRanges, sqlName } from './sqlNames';

/** The parts of a new model name (schema.table or catalog.schema.table), or a refusal saying what is wrong. */
export function newModelName(project: ModelProject, key: string, newName: string): string[] {
  const parts = splitName(newName);
  if (!parts || parts.length < 2 || parts.length > 3) {
    throw new RenameRefused(`"${newName}" is not a model name: write it as schema.table`);
  }
  const newKey = tableKey(parts);
  const existing = newKey !== key ? project.table(newKey) : undefined;
  if (existing) throw new RenameRefused(`${newKey} already exists (${existing.kind === 'model' ? 'a model' : existing.kind === 'source' ? 'a table a source loads' : 'an external model'})`);
  return parts;
}

export function renameModel(project: ModelProject, key: string, newName: string): FileEdits {
  const parts = newModelName(project, key, newName);
  const [schema, table] = parts.slice(-2);
  const model = project.preparedModel(key);
  const name = model?.parsed.definition?.properties.name;
  if (!model || !name) throw new RenameRefused(`${key} takes its name from its file's path: rename the file instead`);
  if (model.parsed.blueprint) {
    throw new RenameRefused(`${key} is made by a blueprint of ${path.basename(model.file)}: its name comes from the blueprint's variables; change them there`);
  }
  const edits = new FileEdits();
  edits.add(model.file, name.start.offset, name.end.offset, parts.map(sqlName).join('.'));
  /** The new name written with as many parts as `written` (a name in `main` may go without its schema). */
  const like = (written: string[]) => {
    if (written.length === 1 && schema.toLowerCase() === 'main') return sqlName(table);
    const qualified = `${sqlName(schema)}.${sqlName(table)}`;
    return written.length === 3 ? `${sqlName(written[0])}.${qualified}` : qualified;
  };
  for (const file of project.modelFiles()) {
    const prepared = project.preparedFile(file)!;
    renameInQuery(project, prepared, key, table, like, edits);
    renameInDependsOn(prepared, key, like, edits);
  }
  return edits;
}

function renameInQuery(project: ModelProject, model: PreparedModel, key: string, table: string, like: (written: string[]) => string, edits: FileEdits): void {
  const sql = model.sql;
  const map = model.rendered?.sourceMap;
  if (!sql?.query || !map) return;
  const text = fileText(model);
  const edit = (start: number, end: number, newText: (written: string[]) => string | undefined) => {
    const at = copiedFileRange(map, start, end);
    const written = at ? splitName(text.slice(at.start, at.end)) : undefined;
    const replacement = written ? newText(written) : undefined;
    if (!at || !written || replacement === undefined) {
      throw new RenameRefused(`cannot rename the reference to ${key} in ${model.key ?? model.file}: it is not written as such in the file (a macro or a translated dialect produces it)`);
    }
    edits.add(model.file, at.start, at.end, replacement);
  };
  for (const ref of tableReferences(sql)) {
    if (ref.key !== key) continue;
    if (!ref.located) throw new RenameRefused(`cannot find the reference to ${key} in ${model.key ?? model.file}`);
    edit(ref.offset, ref.offset + ref.length, (written) => (tableKey(written) === key ? like(written) : undefined));
  }
  // Columns and stars qualified with the table's own name (not an alias): orders.id, shop.orders.id, orders.*.
  const resolved = resolvedQuery(project, model);
  if (!resolved) return;
  for (const [node, binding] of resolved.bindings) {
    if (!isColumnRef(node) || binding.kind !== 'column' || binding.relation.kind !== 'table') continue;
    const rel = binding.relation;
    const names = node.column_names.map((n) => n.toLowerCase());
    if (rel.table !== key || rel.aliased || names.length < 2 || names[names.length - 1] !== binding.column) continue;
    const start = sql.source.indexOfByte(node.query_location);
    if (start === undefined) continue;
    const parts = partRanges(sql.sql, start, start + nameLength(sql.sql, start));
    const qualifier = parts.slice(0, -1);
    edit(qualifier[0].start, qualifier[qualifier.length - 1].end, (written) => (written.length === 1 ? sqlName(table) : like(written)));
  }
  for (const scope of allScopes(resolved)) {
    if (scope.kind !== 'select') continue;
    for (const item of scope.node.select_list ?? []) {
      const qualifier = isStar(item) ? item.relation_name?.toLowerCase() : undefined;
      const rel = qualifier ? scope.relations.find((r) => r.name === qualifier) : undefined;
      if (rel?.kind !== 'table' || rel.table !== key || rel.aliased) continue;
      const start = sql.source.indexOfByte(item.query_location);
      const dot = start === undefined ? -1 : sql.sql.indexOf('.', start);
      if (start === undefined || dot < 0) throw new RenameRefused(`cannot find ${qualifier}.* in ${model.key ?? model.file}`);
      edit(start, start + sql.sql.slice(start, dot).trimEnd().length, (written) => (written.length === 1 ? sqlName(table) : undefined));
    }
  }
}

/** depends_on (a.b, c.d): the names equal to the model's. */
function renameInDependsOn(model: PreparedModel, key: string, like: (written: string[]) => string, edits: FileEdits): void {
  const property = model.parsed.definition?.properties.depends_on;
  if (!property) return;
  const text = fileText(model);
  const base = property.start.offset;
  const { tokens } = tokenize(text.slice(base, property.end.offset));
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].type !== 'ident' && tokens[i].type !== 'qident') continue;
    let j = i;
    while (isPunct(tokens[j + 1], '.') && tokens[j + 2] && (tokens[j + 2].type === 'ident' || tokens[j + 2].type === 'qident')) j += 2;
    const written = tokens.slice(i, j + 1).filter((t) => t.type !== 'punct').map((t) => t.value);
    if (written.length >= 2 && tableKey(written) === key) edits.add(model.file, base + tokens[i].start, base + tokens[j].end, like(written));
    i = j;
  }
}
