// Quick fixes in model files: a close known name for an unknown column (among the columns in scope) or an
// unknown table; adding the output column under the cursor to the model's column_descriptions; removing a
// column_descriptions entry for a column the model no longer has. Edits are made only where the query
// text was copied from the file as written (never inside a macro's expansion).

import {
  CodeActionKind,
  CodeActionTriggerKind,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type Range,
  type TextEdit,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { columnDescriptionList } from '../../core/dag/columnDescriptions';
import { splitName, tableKey } from '../../core/dag/names';
import { closeNames } from '../../core/dag/suggest';
import type { ProjectDiagnostic } from '../../core/dag/types';
import { closeTableNames } from '../../core/dag/unknownTable';
import { codeOf, toLspDiagnostic } from '../diagnostics/projectDiagnostics';
import type { ModelIndex } from '../models/modelIndex';
import { currentContext, latestContext, type ModelFileContext } from './context';
import { columnReferenceAt, targetAt } from './cursor';
import { resolvedQuery, selectScopeOf } from './resolution';
import { copiedFileRange, sqlName, unquote } from './sqlNames';

/**
 * textDocument/codeAction. Fixes edit the editor's text, so they come from the analysis of exactly that
 * text: asked for by the user, they wait for it; asked for automatically (the light bulb, on every move of
 * the cursor), they wait for nothing and come once the analysis has caught up.
 */
export async function codeActionRequest(
  models: ModelIndex,
  document: TextDocument | undefined,
  params: CodeActionParams,
  token: CancellationToken,
): Promise<CodeAction[]> {
  const automatic = params.context.triggerKind === CodeActionTriggerKind.Automatic;
  const ctx = automatic ? await latestContext(models, document) : await currentContext(models, document);
  if (!ctx || !ctx.shift.identical || token.isCancellationRequested) return [];
  return codeActionsAt(ctx, params.range, params.context.only);
}

/** Quick fixes for a range of a model file (the context's text is the editor's). */
export function codeActionsAt(ctx: ModelFileContext, range: Range, only?: readonly string[]): CodeAction[] {
  if (only && !only.some((kind) => CodeActionKind.QuickFix.startsWith(kind))) return [];
  const text = ctx.document.getText();
  const start = ctx.document.offsetAt(range.start);
  const end = ctx.document.offsetAt(range.end);
  const out: CodeAction[] = [];
  for (const d of ctx.project.fileDiagnostics(ctx.file)) {
    const diagnostic = toLspDiagnostic(d, text);
    if (ctx.document.offsetAt(diagnostic.range.start) > end || ctx.document.offsetAt(diagnostic.range.end) < start) continue;
    const code = codeOf(d.message);
    if (code === 'unknown-column') out.push(...columnFixes(ctx, d, diagnostic));
    else if (code === 'unknown-table') out.push(...tableFixes(ctx, d, diagnostic));
    else if (code === 'stale-column-description') out.push(...removeDescription(ctx, d, diagnostic));
  }
  out.push(...addDescription(ctx, start));
  return out;
}

function fix(ctx: ModelFileContext, title: string, edits: TextEdit[], diagnostic?: Diagnostic, preferred = false): CodeAction {
  const action: CodeAction = { title, kind: CodeActionKind.QuickFix, edit: { changes: { [ctx.document.uri]: edits } } };
  if (diagnostic) action.diagnostics = [diagnostic];
  if (preferred) action.isPreferred = true;
  return action;
}

function replace(ctx: ModelFileContext, start: number, end: number, newText: string): TextEdit {
  return { range: { start: ctx.document.positionAt(start), end: ctx.document.positionAt(end) }, newText };
}

/** An unknown column: the columns of the relation it is qualified with, or of every relation in its scope. */
function columnFixes(ctx: ModelFileContext, d: ProjectDiagnostic, diagnostic: Diagnostic): CodeAction[] {
  const prepared = ctx.prepared;
  const ref = prepared ? columnReferenceAt(prepared, d.start.offset) : undefined;
  const resolved = prepared && ref ? resolvedQuery(ctx.project, prepared) : undefined;
  const scope = resolved && ref ? selectScopeOf(resolved, ref.node) : undefined;
  const at = ref && prepared?.rendered ? copiedFileRange(prepared.rendered.sourceMap, ref.name.start, ref.name.end) : undefined;
  if (!ref || !scope || !at) return [];
  const parts = ref.node.column_names.map((p) => p.toLowerCase());
  const name = parts[parts.length - 1];
  if (unquote(ctx.document.getText().slice(at.start, at.end)).toLowerCase() !== name) return [];
  let candidates: string[];
  if (parts.length > 1) {
    const qualifier = parts[parts.length - 2];
    candidates = scope.relations.filter((r) => r.name === qualifier).flatMap((r) => r.columns ?? []);
  } else {
    candidates = [...scope.relations.flatMap((r) => r.columns ?? []), ...scope.outputs.map((o) => o.name)];
  }
  return closeNames(name, candidates).map((c, i) =>
    fix(ctx, `Change \`${name}\` to \`${c}\``, [replace(ctx, at.start, at.end, sqlName(c))], diagnostic, i === 0),
  );
}

/** An unknown table: known tables of a close name, written with as many parts as the reference. */
function tableFixes(ctx: ModelFileContext, d: ProjectDiagnostic, diagnostic: Diagnostic): CodeAction[] {
  const written = ctx.document.getText().slice(d.start.offset, d.end.offset);
  const parts = splitName(written);
  if (!parts || parts.length > 3) return [];
  const key = tableKey(parts);
  return closeTableNames(key, ctx.project.tableKeys()).map((k, i) => {
    const dot = k.indexOf('.');
    const [schema, table] = [k.slice(0, dot), k.slice(dot + 1)];
    let name = `${sqlName(schema)}.${sqlName(table)}`;
    if (parts.length === 1 && schema === 'main') name = sqlName(table);
    if (parts.length === 3) name = `${sqlName(parts[0])}.${name}`;
    return fix(ctx, `Change \`${written}\` to \`${name}\``, [replace(ctx, d.start.offset, d.end.offset, name)], diagnostic, i === 0);
  });
}

/** An output column of this model (under the cursor) that its column_descriptions does not describe yet. */
function addDescription(ctx: ModelFileContext, offset: number): CodeAction[] {
  const prepared = ctx.prepared;
  const target = prepared ? targetAt(ctx.project, prepared, offset) : undefined;
  if (!prepared || target?.kind !== 'output' || target.model !== prepared.key) return [];
  const text = ctx.document.getText();
  const list = columnDescriptionList(prepared.parsed, text);
  if (!list || list.entries.some((e) => e.name.toLowerCase() === target.column)) return [];
  const entry = `${sqlName(target.column)} = ''`;
  const last = list.entries[list.entries.length - 1];
  let edit: TextEdit;
  if (!last) edit = replace(ctx, list.open.offset, list.open.offset, entry);
  else if (last.start.line === list.open.line) edit = replace(ctx, last.end.offset, last.end.offset, `, ${entry}`);
  else {
    // On a line of its own, indented like the entry before it.
    const lineStart = last.start.offset - (last.start.column - 1);
    const indent = /^[ \t]*/.exec(text.slice(lineStart, last.start.offset))![0];
    edit = replace(ctx, last.end.offset, last.end.offset, `,\n${indent}${entry}`);
  }
  return [fix(ctx, `Add \`${target.column}\` to column_descriptions`, [edit])];
}

/** An entry for a column the model no longer has: the entry goes, with its comma. */
function removeDescription(ctx: ModelFileContext, d: ProjectDiagnostic, diagnostic: Diagnostic): CodeAction[] {
  const list = ctx.prepared ? columnDescriptionList(ctx.prepared.parsed, ctx.document.getText()) : undefined;
  const index = list?.entries.findIndex((e) => e.nameStart.offset === d.start.offset) ?? -1;
  if (!list || index < 0) return [];
  const entry = list.entries[index];
  const next = list.entries[index + 1];
  const previous = list.entries[index - 1];
  let edit: TextEdit;
  if (next) edit = replace(ctx, entry.start.offset, next.start.offset, '');
  else if (previous) edit = replace(ctx, previous.end.offset, entry.end.offset, '');
  else edit = replace(ctx, list.open.offset, list.close.offset, '');
  return [fix(ctx, `Remove \`${entry.name}\` from column_descriptions`, [edit], diagnostic, true)];
}
