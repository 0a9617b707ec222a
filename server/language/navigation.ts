// Go to definition and find references in model files. A model reference goes to the model's file, a table
// a source loaded to the resource in its source module (found by reading the module's text), a column to
// the select item (or resource) defining it. References of a model or table are every place a model's
// query names it; references of a column are the model columns that read it.

import type { Location, Position } from 'vscode-languageserver/node';
import type { ModelProject } from '../../core/dag';
import type { FileLocation } from '../../core/protocol';
import type { ModelFileContext } from './context';
import { targetAt } from './cursor';
import type { Locator } from './locations';

export async function definitionAt(ctx: ModelFileContext, position: Position): Promise<Location | null> {
  if (!ctx.prepared) return null;
  const target = targetAt(ctx.project, ctx.prepared, ctx.document.offsetAt(position));
  if (!target) return null;
  let found: FileLocation | undefined;
  switch (target.kind) {
    case 'table':
      found = await ctx.locator.table(target.key);
      break;
    case 'model':
      found = await ctx.locator.table(target.model);
      break;
    case 'column':
      found = await ctx.locator.column(target.base.table, target.base.column);
      break;
    case 'output':
      found = ctx.locator.modelColumn(target.model, target.column);
      break;
    default:
      return null;
  }
  return found ? toLocation(found, ctx.toUri) : null;
}

export async function referencesAt(ctx: ModelFileContext, position: Position, includeDeclaration: boolean): Promise<Location[]> {
  if (!ctx.prepared) return [];
  const target = targetAt(ctx.project, ctx.prepared, ctx.document.offsetAt(position));
  if (!target) return [];
  if (target.kind === 'table' || target.kind === 'model') {
    const key = target.kind === 'table' ? target.key : target.model;
    const out = tableReferences(ctx.project, key).map((l) => toRange(l, ctx.toUri));
    if (includeDeclaration) {
      const declared = await ctx.locator.table(key);
      if (declared) out.unshift(toLocation(declared, ctx.toUri));
    }
    return out;
  }
  const column =
    target.kind === 'column' ? target.base : target.kind === 'output' ? { table: target.model, column: target.column } : undefined;
  if (!column) return [];
  const out = await columnReaders(ctx.project, ctx.locator, column.table, column.column);
  if (includeDeclaration) {
    const declared = await ctx.locator.column(column.table, column.column);
    if (declared) out.unshift(declared);
  }
  return out.map((l) => toLocation(l, ctx.toUri));
}

interface RangeInFile {
  file: string;
  start: { line: number; column: number };
  end: { line: number; column: number };
}

/** Every place a model's query (or depends_on) names the table, sorted by file and position. */
export function tableReferences(project: ModelProject, key: string): RangeInFile[] {
  const out: RangeInFile[] = [];
  for (const model of project.models()) {
    const prepared = project.preparedModel(model.key);
    for (const ref of prepared?.references ?? []) if (ref.key === key) out.push({ file: prepared!.file, start: ref.start, end: ref.end });
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start.line - b.start.line || a.start.column - b.start.column));
}

async function columnReaders(project: ModelProject, locator: Locator, table: string, column: string): Promise<FileLocation[]> {
  const out: FileLocation[] = [];
  for (const reader of project.lineage.readers(table, column)) {
    const at = locator.modelColumn(reader.column.table, reader.column.column);
    if (at) out.push(at);
  }
  return out;
}

export function toLocation(location: FileLocation, toUri: (file: string) => string): Location {
  const at = { line: location.line, character: location.character };
  return { uri: toUri(location.file), range: { start: at, end: at } };
}

function toRange(r: RangeInFile, toUri: (file: string) => string): Location {
  return {
    uri: toUri(r.file),
    range: { start: { line: r.start.line - 1, character: r.start.column - 1 }, end: { line: r.end.line - 1, character: r.end.column - 1 } },
  };
}
