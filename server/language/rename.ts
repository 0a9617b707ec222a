// textDocument/prepareRename and textDocument/rename in model files: a model (at its name, or at a reference
// to it) or an output column of a model (at its select item, its alias, or a column reading it downstream),
// renamed in every file of the project. Every open editor of the project is analysed at its current text
// first; the edits are then checked by analysing the whole project as it would be: a rename that would add
// an error or change any model's columns other than the renamed ones is refused, with the reason.

import { LSPErrorCodes, ResponseError, type Position, type Range, type WorkspaceEdit } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ModelProject } from '../../core/dag';
import { splitName, tableKey } from '../../core/dag/names';
import type { ProjectDiagnostic } from '../../core/dag/types';
import type { ModelIndex } from '../models/modelIndex';
import { toFileUri } from '../workspace/uri';
import { contextAt, currentContext, toCurrentRange, type ModelFileContext } from './context';
import { targetAt, type FileRange } from './cursor';
import { renameColumn } from './renameColumn';
import { FileEdits, RenameRefused, fileText } from './renameEdits';
import { newModelName, renameModel } from './renameModel';
import { checkTests, renameInTests } from './renameTests';
import { unquote } from './sqlNames';

export interface RenameDeps {
  models: ModelIndex;
  document(uri: string): TextDocument | undefined;
  /** Analyses the project's open model editors at their current text. */
  syncOpenDocuments(dir: string): Promise<void>;
}

interface Params {
  textDocument: { uri: string };
  position: Position;
}

type Renamable =
  | { kind: 'model'; key: string; range: FileRange; placeholder: string }
  | { kind: 'column'; model: string; column: string; range: FileRange; placeholder: string };

export async function prepareRename(deps: RenameDeps, params: Params): Promise<{ range: Range; placeholder: string }> {
  return refusalsAsErrors(async () => {
    const at = await contextAt(deps.models, deps.document(params.textDocument.uri), params.position);
    if (!at) throw new RenameRefused('nothing to rename here');
    const target = renamableAt(at.ctx, at.ctx.document.offsetAt(at.position));
    const range = toCurrentRange(at.ctx, { start: at.ctx.document.positionAt(target.range.start), end: at.ctx.document.positionAt(target.range.end) });
    if (!range) throw new RenameRefused('the file changed meanwhile: try again');
    return { range, placeholder: target.placeholder };
  });
}

export async function rename(deps: RenameDeps, params: Params & { newName: string }): Promise<WorkspaceEdit> {
  return refusalsAsErrors(async () => {
    const document = deps.document(params.textDocument.uri);
    const first = await currentContext(deps.models, document);
    if (!first) throw new RenameRefused('nothing to rename here');
    // Every file the rename edits must be analysed at the text its editor shows.
    await deps.syncOpenDocuments(first.entry.info.dir);
    const ctx = await currentContext(deps.models, document);
    if (!ctx) throw new RenameRefused('the file changed meanwhile: try again');
    const target = renamableAt(ctx, ctx.document.offsetAt(params.position));
    const project = ctx.project;
    const openText = (file: string) => deps.document(toFileUri(file))?.getText();
    let edits: FileEdits;
    let expected: (model: string, columns: string[]) => { model: string; columns: string[] };
    if (target.kind === 'model') {
      const newKey = tableKey(newModelName(project, target.key, params.newName));
      if (newKey === target.key && target.placeholder === params.newName) return { changes: {} };
      edits = renameModel(project, target.key, params.newName);
      await renameInTests(project.dir, { model: { key: target.key, newName: params.newName.trim() } }, edits, openText);
      expected = (model, columns) => ({ model: model === target.key ? newKey : model, columns });
    } else {
      const newName = columnName(params.newName);
      if (newName.toLowerCase() === target.column) return { changes: {} };
      const result = renameColumn(project, target.model, target.column, newName);
      const renamed = result.renamed;
      edits = result.edits;
      await renameInTests(project.dir, { columns: renamed }, edits, openText);
      expected = (model, columns) => ({ model, columns: columns.map((c) => renamed.get(model)?.get(c)?.toLowerCase() ?? c) });
    }
    await verify(deps, project, edits, expected);
    checkTests(edits);
    return workspaceEdit(project, edits, deps);
  });
}

/** What a rename at an offset would rename, or a refusal saying why there is nothing to rename. */
function renamableAt(ctx: ModelFileContext, offset: number): Renamable {
  if (!ctx.prepared) throw new RenameRefused('this file defines no model');
  const target = targetAt(ctx.project, ctx.prepared, offset);
  const written = target ? ctx.document.getText().slice(target.range.start, target.range.end) : '';
  switch (target?.kind) {
    case 'model':
      return { kind: 'model', key: target.model, range: target.range, placeholder: written };
    case 'table': {
      const table = ctx.project.table(target.key);
      if (table?.kind !== 'model') {
        const what = table?.kind === 'source' ? 'a table a source loads: its name comes from the source' : table ? 'an external model: rename it where it is declared' : 'not a table of this project';
        throw new RenameRefused(`${target.key} is ${what}`);
      }
      const parts = splitName(written);
      if (!parts || tableKey(parts) !== target.key) throw new RenameRefused(`"${written}" stands for ${target.key} here: rename the model at its name`);
      return { kind: 'model', key: target.key, range: target.range, placeholder: written };
    }
    case 'output':
      return { kind: 'column', model: target.model, column: target.column, range: target.range, placeholder: unquote(written) };
    case 'column':
      if (!ctx.project.model(target.base.table)) {
        const kind = ctx.project.table(target.base.table)?.kind;
        throw new RenameRefused(`${target.base.table}.${target.base.column} is a column of ${kind === 'source' ? 'a table a source loads: its name comes from the loaded data' : 'an external model: rename it where it is declared'}`);
      }
      return { kind: 'column', model: target.base.table, column: target.base.column, range: target.range, placeholder: unquote(written) };
    case 'derived':
      throw new RenameRefused(`"${target.name}" is a column of ${target.relation}, a CTE or subquery of this query: Sluice renames models and their columns`);
    case 'star':
      throw new RenameRefused('a * has no name to rename: rename the columns it stands for where they are named');
    default:
      throw new RenameRefused('nothing to rename here: put the cursor on a model name or a column');
  }
}

/** A column name as typed: a plain identifier, or any name in double quotes. */
function columnName(text: string): string {
  const name = text.trim();
  if (/^"(?:[^"]|"")+"$/.test(name)) return unquote(name);
  if (/^[\p{L}_][\p{L}\p{N}_$]*$/u.test(name)) return name;
  throw new RenameRefused(`"${text}" is not a column name: use letters, digits and _ (or put the name in double quotes)`);
}

/**
 * Analyses the project as the rename would leave it. Refuses when a file would have more errors than now,
 * or a model other columns (or another name) than the rename means it to have.
 */
async function verify(
  deps: RenameDeps,
  project: ModelProject,
  edits: FileEdits,
  expected: (model: string, columns: string[]) => { model: string; columns: string[] },
): Promise<void> {
  const files = project.modelFiles().map((file) => ({ file, text: edits.apply(file, fileText(project.preparedFile(file)!)) }));
  const after = await ModelProject.fromTexts(project.dir, files, await deps.models.projectInputs(project.dir));
  const errorsBefore = errorsByFile(project.diagnostics());
  for (const [file, errors] of errorsByFile(after.diagnostics())) {
    const before = errorsBefore.get(file) ?? [];
    if (errors.length <= before.length) continue;
    const added = errors.find((e) => !before.some((b) => b.message === e.message)) ?? errors[0];
    throw new RenameRefused(`the rename would break ${project.preparedFile(file)?.key ?? file} (line ${added.start.line}: ${added.message})`);
  }
  for (const model of project.models()) {
    const want = expected(model.key, model.columns.map((c) => c.name));
    const got = after.model(want.model)?.columns.map((c) => c.name);
    if (!got) throw new RenameRefused(`the rename would lose model ${want.model}`);
    if (got.join(',') !== want.columns.join(',')) {
      throw new RenameRefused(`the rename would change the columns of ${want.model} beyond the rename (to ${got.join(', ')}): a name in it cannot be renamed safely`);
    }
  }
}

function errorsByFile(diagnostics: readonly ProjectDiagnostic[]): Map<string, ProjectDiagnostic[]> {
  const out = new Map<string, ProjectDiagnostic[]>();
  for (const d of diagnostics) {
    if (d.severity !== 'error') continue;
    const list = out.get(d.file);
    if (list) list.push(d);
    else out.set(d.file, [d]);
  }
  return out;
}

function workspaceEdit(project: ModelProject, edits: FileEdits, deps: RenameDeps): WorkspaceEdit {
  const changes: NonNullable<WorkspaceEdit['changes']> = {};
  for (const [file, list] of edits.byFile) {
    const uri = toFileUri(file);
    const text = edits.otherTexts.get(file) ?? fileText(project.preparedFile(file)!);
    const open = deps.document(uri);
    if (open && open.getText() !== text) throw new RenameRefused(`${file} changed meanwhile: try again`);
    const document = TextDocument.create(uri, 'sql', 0, text);
    changes[uri] = [...list]
      .sort((a, b) => a.start - b.start)
      .map((e) => ({ range: { start: document.positionAt(e.start), end: document.positionAt(e.end) }, newText: e.newText }));
  }
  return { changes };
}

async function refusalsAsErrors<T>(task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (err) {
    if (err instanceof RenameRefused) throw new ResponseError(LSPErrorCodes.RequestFailed, `Cannot rename: ${err.message}`);
    throw err;
  }
}
